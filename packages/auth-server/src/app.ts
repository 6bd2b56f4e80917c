import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type ArtifactWrite,
  assertSchemaCurrent,
  type CompanionWrites,
  createArtifactsRepository,
  createClientsRepository,
  createGrantsRepository,
  createKeysRepository,
  createLogoutNoticesRepository,
  createResourcesRepository,
  createRolesRepository,
  type Database,
  databasePoolStats,
  listenForChanges,
} from '@portcullis/storage';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import type { ServerConfig } from './config/server-config.ts';
import type { ServerEnvironment } from './config/server-environment.ts';
import { CONSOLE_SIGNED_OUT_PATH } from './domain/admin-console.ts';
import { sessionCookieOptions } from './domain/cookies.ts';
import { SESSION_TTL_SECONDS } from './domain/lifetimes.ts';
import { createKeyWatcher } from './keys/key-watcher.ts';
import { createProviderSwap, type ProviderSwap } from './keys/provider-swap.ts';
import type { PrivateJwk } from './keys/signing-keys.ts';
import { createLimits } from './limits/limits.ts';
import { createDevMailbox, createSmtpMailer, type DevMailbox, type Mailer } from './mail/mailer.ts';
import { shareMetricsWithPrimary } from './observability/cluster-metrics.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { type MetricsServer, startMetricsServer } from './observability/metrics-server.ts';
import { observeKeys } from './observability/observe-keys.ts';
import { observeRequests } from './observability/observe-requests.ts';
import { withArtifactReads } from './provider/artifact-reads.ts';
import { createProvider } from './provider/create-provider.ts';
import { logoutNotices } from './provider/logout-notices.ts';
import { createMfaRequirement } from './provider/mfa-policy.ts';
import { useProviderPipeline } from './provider/pipeline.ts';
import { rememberFactors } from './provider/user-facts.ts';
import { createClientRegistry } from './registry/client-registry.ts';
import { createIdentityProviderList } from './registry/identity-provider-list.ts';
import { createResourceRegistry } from './registry/resource-registry.ts';
import { createCsrf } from './routes/forms/csrf.ts';
import { createHostRouting } from './routes/host-routing.ts';
import { IDP_CALLBACK_PATH } from './routes/identity-providers/index.ts';
import { upstreamStates } from './routes/identity-providers/upstream-state.ts';
import { routeTable } from './routes/route-table.ts';
import { createAccessTokenRevocation } from './services/access-token-revocation.ts';
import { createAccountSecurityService } from './services/account-security-service.ts';
import { seedAdminConsole } from './services/admin-console.ts';
import { createAuditTrail } from './services/audit.ts';
import { createGrantsService } from './services/grants-service.ts';
import { createAccountLinksService } from './services/identity-providers/account-links-service.ts';
import { createIdentityProvidersService } from './services/identity-providers/identity-providers-service.ts';
import { createUpstreamClient } from './services/identity-providers/upstream-client.ts';
import { createMfaService } from './services/mfa-service.ts';
import { createPasskeyService } from './services/passkey-service.ts';
import { createDynamicRegistration } from './services/registration/index.ts';
import { createRevocationFeed } from './services/revocation-feed.ts';
import { createSignupService } from './services/signup-service.ts';
import { createUsersService } from './services/users-service.ts';
import { type DrainableServer, trackRequests } from './shutdown.ts';
import { withPageContext } from './views/page-context.ts';

/** What {@link createAuthServer} needs; everything is passed in, nothing is opened at import. */
export interface AuthServerDeps {
  db: Database;
  /** The same database's URL, for the LISTEN connection that keeps caches fresh. */
  databaseUrl: string;
  config: ServerConfig;
  /**
   * The environment and data folder `config` was loaded from; required with the admin API on
   * (PORTCULLIS_ADMIN_API), whose doctor judges them.
   */
  environment?: ServerEnvironment;
  logger: Logger;
  /** The server's metrics; a new set when omitted. */
  metrics?: Metrics;
}

/**
 * The server's mail: SMTP when PORTCULLIS_SMTP_URL is set; otherwise in development `dev`'s
 * mailbox (printed to the log and kept for /dev/mail), and in production none (mail off).
 */
function mailFor(
  config: ServerConfig,
  logger: Logger,
): { mailer: Mailer | undefined; devMail?: DevMailbox } {
  const { smtpUrl, from } = config.mail;
  if (smtpUrl) return { mailer: createSmtpMailer({ url: smtpUrl, from }) };
  if (config.mode === 'production') return { mailer: undefined };
  const devMail = createDevMailbox((mail) =>
    logger.info(`mail not sent (dev): to ${mail.to}, "${mail.subject}"\n\n${mail.text}`, {
      to: mail.to,
    }),
  );
  return { mailer: devMail, devMail };
}

// The admin API's doctor judges the configuration's source: a caller that turns it on says it.
function environment(deps: AuthServerDeps): ServerEnvironment {
  if (deps.environment) return deps.environment;
  throw new Error('createAuthServer: the admin API (adminApi) needs `environment`');
}

/** A built authorization server, not yet listening. */
export interface AuthServer {
  app: Koa;
  provider: Provider;
  metrics: Metrics;
  /** Where Prometheus scrapes this server, once listening with a metrics port configured. */
  readonly metricsUrl: string | undefined;
  /** Starts listening on the configured host and port (or `port` when given). */
  listen(port?: number): Promise<{ server: Server; url: string }>;
  /**
   * Stops accepting, lets in-flight requests finish (for up to `shutdownGraceSeconds`, then cuts
   * them), and stops listening for changes.
   */
  close(): Promise<void>;
}

/**
 * Builds the authorization server: refuses a schema with pending migrations, loads (or creates)
 * the signing keys, listens for changes made by other processes (resolving only once it does),
 * and mounts oidc-provider behind the health routes. Key rotations (`keys rotate`, or a staged
 * key whose time has come) replace the oidc-provider instance without a restart.
 */
export async function createAuthServer(deps: AuthServerDeps): Promise<AuthServer> {
  const { db, databaseUrl, config, logger } = deps;
  if (config.adminApi) environment(deps);
  await assertSchemaCurrent(db);
  // The admin API (with its JSON schemas and validators) and the console load only when they are
  // on (docs/benchmarks.md, "Memory"), before anything starts that would need stopping.
  const adminApi = config.adminApi ? await import('./admin/admin-api.ts') : undefined;
  const consolePages = config.adminConsole ? await import('./console/admin-console.ts') : undefined;
  // The console's client, role and role-gated scopes, before anything is started that would
  // need stopping should this fail.
  const consoleClient = config.adminConsole
    ? await seedAdminConsole(
        db,
        {
          issuer: config.issuer,
          requireMfa: config.mfa !== 'off',
          maxSessionSeconds: config.consoleSessions.maxSeconds,
        },
        { actor: 'system:console' },
      )
    : undefined;
  const metrics = deps.metrics ?? createMetrics();
  metrics.watchPool(() => databasePoolStats(db));

  const clientsRepo = createClientsRepository(db);
  const clients = createClientRegistry({
    clients: clientsRepo,
    onError: (error) =>
      logger.warn('could not record a client secret use', { error: String(error) }),
    // The console's sign-out ends on its own page (RP-initiated logout's post_logout_redirect_uri).
    ...(consoleClient
      ? {
          postLogoutRedirects: new Map([
            [consoleClient.clientId, [new URL(CONSOLE_SIGNED_OUT_PATH, config.issuer).href]],
          ]),
        }
      : {}),
  });
  const resources = createResourceRegistry({ resources: createResourcesRepository(db) });
  const artifacts = createArtifactsRepository(db);
  const users = createUsersService(db);
  // The login form, the login prompt and findAccount read a user's second factors with the user.
  const signInUsers = rememberFactors(users);
  const audit = createAuditTrail({ db, logger });
  const identityProviders = createIdentityProvidersService(db, config.keyEncryptionKey);
  // The login page's "Sign in with" list, read again when a provider changes (the listener below).
  const identityProviderList = createIdentityProviderList(() => identityProviders.list());
  const mfaService = createMfaService({
    db,
    keyEncryptionKey: config.keyEncryptionKey,
    issuer: `Portcullis (${new URL(config.issuer).hostname})`,
  });
  const mfa = {
    service: mfaService,
    passkeys: createPasskeyService({ db, issuer: config.issuer, rpName: config.brand.name }),
    requirement: createMfaRequirement({
      policy: config.mfa,
      clients,
      hasFactor: signInUsers.hasFactor(mfaService.hasFactor),
    }),
  };
  const limits = createLimits({
    db,
    config: config.limits,
    keySecret: config.keyEncryptionKey,
    audit,
    logger,
    onRefused: (limit) => metrics.rateLimitHit(limit),
  });

  // One oidc-provider instance with its middleware and listeners (provider/pipeline.ts). Signing
  // keys are fixed at construction, so every key change builds a new instance with this and
  // swaps it in.
  const accessTokenRevocation = createAccessTokenRevocation(db);
  const buildProvider = (jwks: PrivateJwk[]) => {
    const provider = createProvider({
      config,
      clients,
      resources,
      artifacts,
      grants: createGrantsRepository(db),
      jwks,
      users: signInUsers,
      roles: createRolesRepository(db),
      refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
      mfa: mfa.requirement,
    });
    useProviderPipeline(provider, {
      clients,
      clientAuthLimits: limits.clientAuth,
      deviceCodeLimits: limits.deviceCode,
      audit,
      metrics,
      logger,
      jwtRevocation: { issuer: config.issuer, jwks, revoke: accessTokenRevocation.revoke },
    });
    return provider;
  };

  const keyWatcher = createKeyWatcher({
    keys: observeKeys(createKeysRepository(db), metrics),
    keyEncryptionKey: config.keyEncryptionKey,
    onKeys(jwks) {
      providers.swap(jwks);
      logger.info('signing keys changed', {
        signing: jwks.filter((key) => key.key_ops === undefined).map((key) => key.kid),
        published: jwks.length,
      });
    },
    onError: (error) => logger.warn('could not refresh the signing keys', { error: String(error) }),
  });
  let providers: ProviderSwap;
  try {
    providers = createProviderSwap(buildProvider, await keyWatcher.start());
  } catch (error) {
    keyWatcher.close();
    throw error;
  }
  const provider = providers.provider;

  // Settled by the listener's first connection: resolved once it listens, rejected by its failure.
  let starting: { resolve(): void; reject(error: Error): void } | undefined;
  const listening = new Promise<void>((resolve, reject) => {
    starting = { resolve, reject };
  });
  // Sessions ended in SQL (a password reset, `users disable`...): their apps' logout tokens.
  const logouts = logoutNotices(provider, createLogoutNoticesRepository(db), logger);
  // The revocation feed's waiting requests wake when a revocation commits on any process.
  const revocationFeed = createRevocationFeed({ db, clients });
  const listener = listenForChanges(databaseUrl, {
    onChange(change) {
      if (change.kind === 'revocation') revocationFeed.wake();
      if (change.kind === 'client') clients.invalidate(change.id);
      if (change.kind === 'resource') resources.invalidate(change.id);
      if (change.kind === 'identity_provider') identityProviderList.clear();
      if (change.kind === 'key') void keyWatcher.refresh();
      // drain() never rejects: a failure is logged.
      if (change.kind === 'logout') void logouts.drain();
    },
    // Changes announced while the connection was down are lost: start from the database again.
    onConnected() {
      clients.clear();
      resources.clear();
      identityProviderList.clear();
      void keyWatcher.refresh();
      void logouts.drain();
      revocationFeed.wake();
      starting?.resolve();
      starting = undefined;
    },
    onError(error) {
      if (starting) {
        starting.reject(error);
        starting = undefined;
        return;
      }
      logger.warn('change listener lost its connection', { error: error.message });
    },
  });
  // Hand out the server only once it hears changes. Otherwise the first connection's `clear()`
  // lands at any moment after the first requests and empties what they cached: a client then has
  // to be read again, and while PostgreSQL is down its wrong secret is answered 503, not 401.
  // A first connection that fails fails the start, as the schema check and key load above do.
  try {
    await listening;
  } catch (error) {
    keyWatcher.close();
    await listener.close();
    await logouts.close();
    throw error;
  }

  // The host app owns our own routes (routes/route-table.ts); everything else goes straight to
  // oidc-provider (itself a Koa app). Dispatching on the path before Koa spares the token path a
  // second Koa context per request, which measurably costs throughput (docs/benchmarks.md).
  const app = new Koa();
  app.proxy = config.trustProxy;
  // One trusted hop: the address the proxy saw (the last X-Forwarded-For entry, which the client
  // cannot forge), not the first one, which the client wrote itself.
  app.maxIpsCount = 1;
  const { mailer, devMail } = mailFor(config, logger);
  const security = createAccountSecurityService({
    db,
    mailer,
    issuer: config.issuer,
    logger,
    keySecret: config.keyEncryptionKey,
  });
  const csrf = createCsrf(config.cookieKeys[0] as string);
  // The admin REST API (admin/admin-api.ts), on the issuer's port: PORTCULLIS_ADMIN_API=on.
  const admin = adminApi?.createAdminApi({ db, config, environment: environment(deps), logger });
  // The admin console (console/admin-console.ts), under /admin: PORTCULLIS_ADMIN_CONSOLE=on.
  const adminConsole = consoleClient
    ? consolePages?.createAdminConsole({
        db,
        issuer: config.issuer,
        clientId: consoleClient.clientId,
        limits: config.consoleSessions,
        csrf,
        logger,
      })
    : undefined;
  const routing = createHostRouting([
    ...routeTable({
      db,
      brand: config.brand,
      interaction: {
        provider,
        clients,
        resources,
        roles: createRolesRepository(db),
        users: signInUsers,
        csrf: createCsrf(config.cookieKeys[0] as string),
        sessionCookie: sessionCookieOptions(config.issuer),
        logger,
        audit,
        signIns: limits.signIn,
        mailEnabled: security.mailEnabled,
        openSignup: config.signup === 'open' && security.mailEnabled,
        identityProviders: identityProviderList,
        mfa,
      },
      identityProviders: {
        provider,
        idps: identityProviders,
        upstream: createUpstreamClient(new URL(IDP_CALLBACK_PATH, config.issuer).href),
        states: upstreamStates(provider, config.cookieKeys[0] as string, config.issuer),
        users,
        csrf: createCsrf(config.cookieKeys[0] as string),
        logger,
        audit,
        signIns: limits.signIn,
        links: createAccountLinksService(db),
      },
      account: {
        provider,
        grants: createGrantsService(db),
        users,
        roles: createRolesRepository(db),
        csrf: createCsrf(config.cookieKeys[0] as string),
        sessionCookie: sessionCookieOptions(config.issuer),
        sessionTtlSeconds: SESSION_TTL_SECONDS,
        logger,
        audit,
        signIns: limits.signIn,
        mailEnabled: security.mailEnabled,
        openSignup: config.signup === 'open' && security.mailEnabled,
        mfa,
      },
      accountSecurity: { provider, security, users, csrf, signIns: limits.signIn },
      ...(security.mailEnabled
        ? { passwordReset: { security, csrf, signIns: limits.signIn } }
        : {}),
      ...(devMail ? { devMail } : {}),
      revocationFeed: { feed: revocationFeed, limits: limits.clientAuth },
      ...(config.signup !== 'off'
        ? {
            signup: {
              signup: createSignupService({ db, issuer: config.issuer, mailer, logger }),
              csrf,
              ...(config.signup === 'open' && mailer ? { open: limits.signup } : {}),
            },
          }
        : {}),
      ...(config.registration
        ? {
            registration: {
              registration: createDynamicRegistration(db, {
                openResources: config.registrationOpenResources,
              }),
              limits: limits.clientAuth,
              ...(config.registrationOpenResources.length > 0
                ? { openLimits: limits.openRegistration }
                : {}),
              issuer: config.issuer,
            },
          }
        : {}),
    }),
    ...(admin?.routes ?? []),
    ...(adminConsole?.routes ?? []),
  ]);
  app.use(routing.middleware);
  app.on('error', (error: Error) => logger.error('server error', { error: error.stack }));
  const hostHandler = app.callback();
  // A request's audit events and deletions that wait for its next artifact write (to go in its
  // statement), written alone when none came (provider/artifact-reads.ts).
  const pendingWrites = {
    flush: (writes: ArtifactWrite[], companions: CompanionWrites | undefined) =>
      artifacts.write(writes, companions),
    onError: (error: unknown) =>
      logger.error('could not write what a request left pending', { error: String(error) }),
  };

  const handler = observeRequests(
    { logger, metrics, trustProxy: config.trustProxy, hostRoute: routing.match },
    (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url?.split('?', 1)[0] ?? '';
      const handle = routing.owns(path) ? hostHandler : providers.handle;
      const context = {
        brand: config.brand,
        catalogue: config.messages,
        acceptLanguage: req.headers['accept-language'],
      };
      return withPageContext(context, () =>
        withArtifactReads(() => handle(req, res), pendingWrites),
      );
    },
  );

  let server: Server | undefined;
  let drainable: DrainableServer | undefined;
  let metricsServer: MetricsServer | undefined;
  return {
    app,
    metrics,
    get metricsUrl() {
      return metricsServer?.url;
    },
    /** The instance serving now; a key change replaces it. */
    get provider() {
      return providers.current;
    },
    async listen(port = config.port) {
      // In a `serve --workers` worker the primary serves every worker's metrics together.
      if (config.metricsPort !== undefined && cluster.isWorker) {
        shareMetricsWithPrimary(metrics.registry);
      } else if (config.metricsPort !== undefined && !metricsServer) {
        metricsServer = await startMetricsServer({
          host: config.metricsHost,
          port: config.metricsPort,
          render: () => metrics.render(),
          contentType: metrics.registry.contentType,
        });
        logger.info('metrics listening', { url: metricsServer.url });
      }
      const started = createServer(
        {
          // Slow clients time out instead of holding sockets open (docs/security.md: bad input).
          headersTimeout: 10_000,
          requestTimeout: 30_000,
          maxHeaderSize: 16 * 1024,
        },
        handler,
      ).listen(port, config.host);
      server = started;
      drainable = trackRequests(started);
      await new Promise<void>((resolve, reject) => {
        started.once('listening', resolve);
        started.once('error', reject);
      });
      const address = started.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return { server: started, url: `http://${config.host}:${actualPort}` };
    },
    async close() {
      // Long polls of the revocation feed answer at once instead of holding the drain.
      revocationFeed.close();
      // Requests in flight finish first (they may still need the caches and the database).
      if (server?.listening && drainable) {
        const { cut } = await drainable.drain(config.shutdownGraceSeconds * 1000);
        if (cut > 0) logger.warn('shutdown grace period over: requests cut', { requests: cut });
      }
      keyWatcher.close();
      await listener.close();
      await logouts.close();
      await admin?.close();
      await metricsServer?.close();
    },
  };
}
