import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import express from 'express';
import { auth, claimEquals, requiredScopes } from 'express-oauth2-jwt-bearer';
import { AUDIENCE, ISSUER } from '../helpers/mint-token.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { type RunningAdapter, startAdapter } from '../helpers/start-adapter.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { adversarialRows, generateTableKeys, type Row } from './adversarial-table.ts';

// Express's reference verifier, express-oauth2-jwt-bearer 1.10.0 at its strictest (`strict: true`,
// the RFC 9068 profile; ES256 only; our 30 s leeway), and our Express adapter, given every request of the
// adversarial table at the real time (it has no clock to set). Ours must refuse whatever it
// refuses; what it accepts that ours refuses is listed here and in docs/benchmarks.md.

const now = () => Math.floor(Date.now() / 1000);
const keys = await generateTableKeys();
let issuer: TestIssuer;
let ours: RunningAdapter;
let theirs: { url: string; close: () => Promise<void> };

test.before(async () => {
  issuer = await startIssuer([keys.key.publicJwk]);
  ours = await startAdapter('express', { jwksUri: issuer.jwksUri, now });
  const verify = auth(verifyOptions());
  const app = express();
  const answer: express.RequestHandler = (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  };
  app.get('/read', verify, requiredScopes('notes:read'), answer);
  app.get('/write', verify, requiredScopes('notes:write'), answer);
  app.get('/rule', verify, requiredScopes('notes:read'), answer);
  app.post('/rule', verify, requiredScopes('notes:write'), answer);
  app.get('/owner', verify, requiredScopes('notes:read'), claimEquals('sub', 'user-1'), answer);
  app.get('/optional', auth({ ...verifyOptions(), authRequired: false }), answer);
  // The verdict of a refusal is its status; the error handler only keeps the process quiet.
  app.use(((error, _req, res, _next) => {
    res.status((error as { status?: number }).status ?? 500).json({ error: 'refused' });
  }) as express.ErrorRequestHandler);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  theirs = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
test.after.always(async () => {
  await ours?.close();
  await theirs?.close();
  await issuer?.close();
});

function verifyOptions() {
  return {
    issuer: ISSUER,
    jwksUri: issuer.jwksUri,
    audience: AUDIENCE,
    tokenSigningAlg: 'ES256',
    strict: true,
    // Ours by default (its own is 5 s): the same leeway, so that the checks are compared.
    clockTolerance: 30,
  };
}

// Rows about features express-oauth2-jwt-bearer does not have (throttles, RFC 9728 metadata, a
// rule on the actor chain), the
// one Node.js itself answers (431), and the proof made for our configured public URL (it checks
// `htu` against the URL the request reached, 127.0.0.1 here, and cannot be told another) say
// nothing about strictness.
const comparable = (row: Row) =>
  !row.name.startsWith('a rule: actedBy') &&
  ![
    'a throttle: the third request in a minute',
    'the protected-resource metadata (RFC 9728)',
    'a header larger than Node.js reads (20 KB)',
    'a DPoP-bound token with its proof',
  ].includes(row.name);

async function status(url: string, row: Row): Promise<number> {
  const request = await row.request();
  let answer = 0;
  for (let i = 0; i < (request.times ?? 1); i += 1) {
    answer = (await rawRequest(url, request.method ?? 'GET', request.target, [...request.headers]))
      .status;
  }
  return answer;
}

// What express-oauth2-jwt-bearer 1.10.0 (strict) lets through that we refuse: the table of
// docs/benchmarks.md. A change of either library shows here.
const acceptedOnlyByTheirs = [
  'the token only in the query string',
  'two Authorization headers',
  'issued in the future (iat in 2 minutes)',
  'optional authentication with a bad token',
  'a malformed act claim',
];

test('every request it refuses we refuse; what it accepts and we refuse is the documented list', async (t) => {
  const onlyTheirs: string[] = [];
  const verdicts: string[] = [];
  for (const row of adversarialRows(keys, now()).filter(comparable)) {
    const [oursStatus, theirsStatus] = [await status(ours.url, row), await status(theirs.url, row)];
    verdicts.push(`${row.name}: ours ${oursStatus}, theirs ${theirsStatus}`);
    const oursAccepts = oursStatus < 300;
    const theirsAccepts = theirsStatus < 300;
    t.true(
      oursAccepts === false || theirsAccepts,
      `${row.name}: we accept what it refuses (${oursStatus} / ${theirsStatus})`,
    );
    if (theirsAccepts && !oursAccepts) onlyTheirs.push(row.name);
  }
  t.log(verdicts.join('\n'));
  t.deepEqual(onlyTheirs, acceptedOnlyByTheirs);
});
