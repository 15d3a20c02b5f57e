// Starts oauth2-mock-server (a real third-party OAuth2 server) on 127.0.0.1 with hooks that make
// it strict enough to test a token lifecycle against: it enforces one username/password and one
// client id/secret, issues TTL-second tokens (expires_in and the JWT exp agree), makes refresh
// tokens one-time (rotation), and guards /userinfo as a protected resource that answers 401 to
// expired or revoked tokens. The authorization code grant requires PKCE S256: the mock checks the
// verifier against the challenge itself, and a code issued with a challenge is refused without
// one. A second tiny server on another port reports exact counters and lets tests revoke tokens.
// Prints one JSON line with the URLs, then serves until killed.
//
// Usage: node oauth2_mock_launcher.mjs '{"username":"u","password":"p","client_id":"c",
//        "client_secret":"s","ttl":2}'
import http from "node:http";
import { OAuth2Server } from "oauth2-mock-server";

const config = { username: "alice", password: "wonderland", client_id: "explorer",
  client_secret: "s3cret", ttl: 2, ...JSON.parse(process.argv[2] || "{}") };
const refreshTokens = new Set();
const accessTokens = new Set();
const stats = { token: {}, rejected: 0, api: 0, api401: 0, authorize: 0, pkce: 0 };
const challenged = new Set();

function clientOk(req) {
  const header = req.headers.authorization || "";
  if (header.startsWith("Basic ")) {
    const [id, secret] = Buffer.from(header.slice(6), "base64").toString().split(":");
    return decodeURIComponent(id) === config.client_id &&
      decodeURIComponent(secret) === config.client_secret;
  }
  return req.body.client_id === config.client_id && req.body.client_secret === config.client_secret;
}

function reject(response, status, error, description) {
  stats.rejected += 1;
  response.statusCode = status;
  response.body = { error, error_description: description };
}

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  token.payload.exp = token.payload.iat + config.ttl;
  token.payload.roles = ["reader"];
});
server.service.on("beforeAuthorizeRedirect", (redirect, req) => {
  stats.authorize += 1;
  if (req.query.code_challenge && req.query.code_challenge_method === "S256") {
    stats.pkce += 1;
    challenged.add(redirect.url.searchParams.get("code"));
  }
});
server.service.on("beforeResponse", (response, req) => {
  const grant = req.body.grant_type;
  stats.token[grant] = (stats.token[grant] || 0) + 1;
  if (!clientOk(req)) return reject(response, 401, "invalid_client", "Client authentication failed.");
  if (grant === "authorization_code" && !challenged.delete(req.body.code)) {
    return reject(response, 400, "invalid_grant", "PKCE S256 is required for this client.");
  }
  if (grant === "password" &&
      (req.body.username !== config.username || req.body.password !== config.password)) {
    return reject(response, 400, "invalid_grant", "The user name or password is incorrect.");
  }
  if (grant === "refresh_token") {
    if (!refreshTokens.delete(req.body.refresh_token)) {
      return reject(response, 400, "invalid_grant", "The refresh token is invalid or was used.");
    }
  }
  response.body.expires_in = config.ttl;
  accessTokens.add(response.body.access_token);
  if (response.body.refresh_token) refreshTokens.add(response.body.refresh_token);
});
server.service.on("beforeUserinfo", (response, req) => {
  stats.api += 1;
  const token = (req.headers.authorization || "").replace(/^Bearer /, "");
  let exp = 0;
  try {
    exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp;
  } catch {
    exp = 0;
  }
  if (!accessTokens.has(token) || exp * 1000 <= Date.now()) {
    stats.api401 += 1;
    response.statusCode = 401;
    response.body = { error: "invalid_token", error_description: "The access token expired." };
  }
});
await server.start(0, "127.0.0.1");
server.issuer.url = `http://127.0.0.1:${server.address().port}`;

const control = http.createServer((req, res) => {
  if (req.url === "/revoke-access") accessTokens.clear();
  if (req.url === "/revoke-refresh") refreshTokens.clear();
  if (req.url === "/reset") {
    Object.assign(stats, { token: {}, rejected: 0, api: 0, api401: 0, authorize: 0, pkce: 0 });
  }
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(stats));
});
control.listen(0, "127.0.0.1", () => {
  const issuer = server.issuer.url;
  console.log(JSON.stringify({ issuer, token_url: `${issuer}/token`,
    authorize_url: `${issuer}/authorize`, userinfo_url: `${issuer}/userinfo`,
    control_url: `http://127.0.0.1:${control.address().port}` }));
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => { control.close(); await server.stop(); process.exit(0); });
}
