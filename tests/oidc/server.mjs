// A real, certified OpenID Connect provider (panva/oidc-provider) for partyorg's login tests.
//
// It listens on 127.0.0.1 only. Everything test-specific comes from the environment, set by the
// pytest fixture in accounts/tests/conftest.py:
//   PORT            the port to listen on
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS, POST_LOGOUT_REDIRECT_URIS (comma separated)
//   ACCOUNTS        JSON: {"<account id>": {"cccd": "...", "acr": "..."}, ...}
//   ACR_VALUES      comma separated acr values the provider may assert
//   CCCD_CLAIM      the name of the claim that carries the 12-digit personal ID number
//
// The login page lists the test accounts; a `login_hint` naming one logs it in at once, so a test
// can drive the whole flow with plain HTTP requests. No password: it is a test provider.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const cccdClaim = process.env.CCCD_CLAIM || 'cccd';
const list = (name) => (process.env[name] || '').split(',').filter(Boolean);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: list('REDIRECT_URIS'),
      post_logout_redirect_uris: list('POST_LOGOUT_REDIRECT_URIS'),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  acrValues: list('ACR_VALUES'),
  claims: { acr: null, sid: null, auth_time: null, iss: null, openid: ['sub', cccdClaim] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, [cccdClaim]: accounts[id].cccd }; } };
  },
  // A first-party client: consent is implied, as it is for the national e-ID's own relying parties.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid');
    grant.addOIDCClaims(['sub', cccdClaim, 'acr']);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

function page(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Test e-ID</title>${html}`);
}

async function finishLogin(req, res, accountId) {
  const account = accounts[accountId];
  if (!account) return page(res, 400, '<p>unknown account</p>');
  const result = { login: { accountId, acr: account.acr, amr: ['pwd'] } };
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

const handler = provider.callback();
createServer(async (req, res) => {
  try {
    const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?/);
    if (!match) return handler(req, res);
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      return await finishLogin(req, res, form.get('account'));
    }
    const hint = details.params.login_hint;
    if (hint && accounts[hint]) return await finishLogin(req, res, hint);
    const options = Object.keys(accounts).map((id) => `<option value="${id}">${id}</option>`).join('');
    return page(res, 200, `<form method="post" action="/interaction/${details.uid}/login">
      <select name="account">${options}</select><button>Sign in</button></form>`);
  } catch (error) {
    return page(res, 500, `<pre>${String(error).replace(/</g, '&lt;')}</pre>`);
  }
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
