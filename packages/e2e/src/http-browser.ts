/**
 * A scripted browser over HTTP for flows through our pages: keeps cookies, follows redirects on
 * the authorization server by hand (never into the client's redirect URI), reads forms.
 */
export class HttpBrowser {
  readonly #cookies = new Map<string, string>();
  readonly #origin: string;
  readonly #acceptLanguage: string | undefined;
  /** Every cookie value the server set, cleared ones too: what a test may look for elsewhere. */
  readonly cookiesSet: string[] = [];

  /** `acceptLanguage`: sent with every request, as a browser set to that language does. */
  constructor(origin: string, options: { acceptLanguage?: string } = {}) {
    this.#origin = new URL(origin).origin;
    this.#acceptLanguage = options.acceptLanguage;
  }

  /** GET or POST one URL without following redirects. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.#acceptLanguage) headers['accept-language'] = this.#acceptLanguage;
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie && new URL(url).origin === this.#origin) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) {
        const name = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim();
        if (value) this.cookiesSet.push(value);
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
        else this.#cookies.set(name, value);
      }
    }
    return response;
  }

  /**
   * Follows redirects while they stay on the authorization server; returns the last response
   * and, when a redirect leaves it (to the client), the URL it pointed to.
   */
  async follow(
    url: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<{ response: Response; url: string; left?: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops += 1) {
      const next = new URL(response.headers.get('location') as string, current).toString();
      if (new URL(next).origin !== this.#origin) return { response, url: current, left: next };
      current = next;
      response = await this.request(current);
    }
    return { response, url: current };
  }
}

/** The value of a hidden or text input in an HTML page. */
export function inputValue(page: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page);
  return match ? /value="([^"]*)"/.exec(match[0])?.[1] : undefined;
}

/** The action of the first form in a page. */
export function formAction(page: string, id?: string): string | undefined {
  const pattern = id ? new RegExp(`<form[^>]*id="${id}"[^>]*>`) : /<form[^>]*>/;
  const tag = pattern.exec(page)?.[0];
  return tag ? /action="([^"]*)"/.exec(tag)?.[1]?.replaceAll('&amp;', '&') : undefined;
}

/** The href of the first link in a page whose text matches `text` (`&amp;` decoded). */
export function linkHref(page: string, text: RegExp): string | undefined {
  for (const match of page.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) {
    if (text.test(match[2] ?? '')) return match[1]?.replaceAll('&amp;', '&');
  }
  return undefined;
}

/**
 * Submits the form of the page in `step` (the first one, or the one with `formId`) with its
 * hidden fields (CSRF tokens) plus `fields`, following redirects like {@link HttpBrowser.follow}.
 */
export async function submitForm(
  browser: HttpBrowser,
  step: { response: Response; url: string },
  fields: Record<string, string>,
  formId?: string,
) {
  const page = await step.response.text();
  const action = new URL(formAction(page, formId) as string, step.url).href;
  const hidden: Record<string, string> = {};
  for (const match of page.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name && value !== undefined) hidden[name] = value;
  }
  return { page, next: await browser.follow(action, { form: { ...hidden, ...fields } }) };
}
