// A real OpenID Provider for the single sign-on tests: panva's certified `oidc-provider` (package.json's
// devDependencies, installed by `make vendor`), with its development login and consent pages.
//
// Configured by one JSON environment variable, OIDC_TEST_PROVIDER:
//   {"client_id", "client_secret", "redirect_uris": [...], "accounts": {"<login>": {claims}}}
// The login page accepts any password; the login name picks the account, whose claims (email,
// email_verified, name, groups) go into the ID token. It listens on 127.0.0.1 on a free port and prints
// {"issuer": "http://127.0.0.1:PORT"} as its first line of output once it is ready.
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_PROVIDER);

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: settings.redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    // Every client must send a PKCE challenge (S256 is the only method on offer).
    pkce: { methods: ['S256'], required: () => true },
    // Groups with the openid scope, as Microsoft Entra ID sends its groups claim whatever the scopes.
    claims: {
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // The claims of the granted scopes in the ID token itself (not only from the userinfo endpoint).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['tests-only-cookie-key'] },
    async findAccount(ctx, sub) {
      const claims = settings.accounts[sub] || {};
      return { accountId: sub, async claims() { return { sub, ...claims }; } };
    },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
