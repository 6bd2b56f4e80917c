/**
 * Waits for `condition`, checking every 50 ms; gives up (throwing, which fails the test) after
 * `seconds`.
 *
 * @example
 * await until('the replica publishes the key', async () => (await jwksKids(url)).includes(kid));
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  seconds = 20,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
