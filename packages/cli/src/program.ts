import { type Command, CommanderError } from 'commander';
import { describeError } from './errors.ts';
import { paint } from './output.ts';
import { PortcullisCommand } from './portcullis-command.ts';
import { refuseLocalOnly } from './remote/local-only.ts';
import type { Io } from './runtime.ts';

/**
 * A group of commands (`portcullis clients ...`): its help lists them, with `examples`.
 *
 * @example
 * const keys = group(program, 'keys', 'signing keys', ['keys list']);
 */
function group(program: Command, name: string, description: string, examples: string[]): Command {
  return program
    .command(name)
    .description(description)
    .addHelpText(
      'after',
      `\nExamples:\n${examples.map((example) => `  $ portcullis ${example}`).join('\n')}`,
    );
}

/** A register function of a group's or a command's module, loaded when needed. */
type Registrar = () => Promise<(command: Command, io: Io) => void>;

/** The groups, in the order `portcullis --help` lists them; each loads its commands' modules. */
const GROUPS: ReadonlyArray<{
  name: string;
  description: string;
  examples: string[];
  commands: Registrar;
}> = [
  {
    name: 'db',
    description: 'database schema and the embedded PostgreSQL',
    examples: ['db status', 'db migrate'],
    commands: async () => (await import('./commands/db.ts')).registerDb,
  },
  {
    name: 'clients',
    description: 'OAuth clients',
    examples: ['clients list', 'clients show billing'],
    commands: async () => (await import('./commands/clients.ts')).registerClients,
  },
  {
    name: 'resources',
    description: 'API resources and their scopes',
    examples: ['resources list', 'resources show https://api.example.com'],
    commands: async () => (await import('./commands/resources.ts')).registerResources,
  },
  {
    name: 'tokens',
    description: 'operator-issued API tokens, revocation and the janitor',
    examples: ['tokens revoke --client billing', 'tokens purge --dry-run'],
    commands: async () => (await import('./commands/tokens.ts')).registerTokens,
  },
  {
    name: 'users',
    description: 'end users who sign in',
    examples: ['users list', 'users show alice'],
    commands: async () => (await import('./commands/users.ts')).registerUsers,
  },
  {
    name: 'roles',
    description: 'roles: scopes of resources that depend on the user',
    examples: [
      'roles list',
      'roles create notes-admin --scope "https://api.example.com notes:admin"',
    ],
    commands: async () => (await import('./commands/roles.ts')).registerRoles,
  },
  {
    name: 'idps',
    description: 'other identity providers users sign in with ("Sign in with")',
    examples: ['idps list', 'idps show "Acme SSO"'],
    commands: async () => (await import('./commands/idps.ts')).registerIdps,
  },
  {
    name: 'grants',
    description: "users' grants to apps",
    examples: ['grants list --user alice'],
    commands: async () => (await import('./commands/grants.ts')).registerGrants,
  },
  {
    name: 'keys',
    description: 'signing keys and their rotation',
    examples: ['keys list', 'keys rotate'],
    commands: async () => (await import('./commands/keys.ts')).registerKeys,
  },
  {
    name: 'audit',
    description: 'the audit trail of security events',
    examples: ['audit list --since 24h', 'audit tail --json'],
    commands: async () => (await import('./commands/audit.ts')).registerAudit,
  },
  {
    name: 'admin',
    description: 'the admin REST API: its clients',
    examples: ['admin create-client ci --scope admin:read admin:write --require-dpop'],
    commands: async () => (await import('./commands/admin.ts')).registerAdmin,
  },
  {
    name: 'secrets',
    description: 'secrets for serve: cookie keys, key-encryption key',
    examples: ['secrets generate >> .env'],
    commands: async () => (await import('./commands/secrets.ts')).registerSecrets,
  },
];

/** The commands of their own, after the groups. */
const COMMANDS: readonly Registrar[] = [
  async () => (await import('./commands/apply.ts')).registerApply,
  async () => (await import('./commands/dev.ts')).registerDev,
  async () => (await import('./commands/doctor.ts')).registerDoctor,
  async () => (await import('./commands/example-api.ts')).registerExampleApi,
  async () => (await import('./commands/serve.ts')).registerServe,
];

/**
 * The group a command line runs (`clients` in `clients list`, or in `help clients`); undefined
 * for a command of its own, a bare `--help` or an unknown word.
 */
function groupOf(argv: readonly string[]): string | undefined {
  // `--server URL` is the one option before a group that takes a value.
  const words = argv.filter((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--server');
  const word = words[0] === 'help' ? words[1] : words[0];
  return GROUPS.find((g) => g.name === word)?.name;
}

/**
 * Builds the `portcullis` command tree, writing to `io`. Given the command line `argv`, it loads
 * only the modules that line needs (the commands of its group, or the commands of their own):
 * each module costs start-up time, and a command's heavy dependencies load in its action
 * (lazy.ts). Without `argv`, the whole tree.
 *
 * @example
 * const program = await createProgram(io, ['clients', 'list']);
 */
export async function createProgram(io: Io, argv?: readonly string[]): Promise<Command> {
  const program = new PortcullisCommand('portcullis')
    .description('Portcullis: OAuth 2.0 / OpenID Connect for TypeScript teams')
    .showSuggestionAfterError()
    .option(
      '--server <url>',
      'run the command through the admin API of this server (its issuer URL) instead of the database; token from PORTCULLIS_ADMIN_TOKEN, or PORTCULLIS_ADMIN_CLIENT_ID with its secret (env PORTCULLIS_SERVER)',
    )
    .hook('preAction', (command, action) => {
      const server = command.opts<{ server?: string }>().server;
      // The back ends read the mode from the environment, as they do PORTCULLIS_SERVER.
      if (server !== undefined) io.env.PORTCULLIS_SERVER = server;
      refuseLocalOnly(action, io.env, server === undefined ? 'PORTCULLIS_SERVER' : '--server');
    })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors: commander's `error: ...` line, the prefix in red on a terminal, and its
      // suggestion kept on that line (commander puts `(Did you mean --name?)` on a second one).
      outputError: (text, write) =>
        write(
          text
            .replace(/\n\(Did you mean (.*)\?\)\n$/, ' (did you mean $1?)\n')
            .replace(/^error:/, paint(io.stderr, 'red', 'error:')),
        ),
    })
    .addHelpText(
      'after',
      `
Every command takes --help (with examples) and --json (machine-readable output on stdout).
Exit codes: 0 success, 1 the command failed (one line on stderr says why), 2 usage error.
The operator guide, docs/operators.md, describes every command.

Example:
  $ portcullis clients list`,
    );

  const selected = argv === undefined ? undefined : groupOf(argv);
  for (const { name, description, examples, commands } of GROUPS) {
    const command = group(program, name, description, examples);
    if (argv === undefined || selected === name) (await commands())(command, io);
  }
  if (argv === undefined || selected === undefined) {
    for (const command of COMMANDS) (await command())(program, io);
  }

  // Every command, at every depth, reports usage errors through `run` instead of exiting.
  const override = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) override(sub);
  };
  override(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 on success, 1 when the command failed, 2 for a usage
 * error. Failures print one line on stderr, never a stack trace.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = await createProgram(io, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; commander already printed the message.
      return error.exitCode === 0 ? 0 : 2;
    }
    io.stderr.write(`${paint(io.stderr, 'red', 'portcullis:')} ${describeError(error)}\n`);
    if (io.env.PORTCULLIS_DEBUG === '1' && error instanceof Error)
      io.stderr.write(`${error.stack}\n`);
    return typeof (error as { exitCode?: unknown }).exitCode === 'number'
      ? (error as { exitCode: number }).exitCode
      : 1;
  }
}
