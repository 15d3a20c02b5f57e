// A tiny keep-alive HTTP server for benchmarks: fast enough that the clients, not the server,
// dominate the measurements. Prints its port on stdout, then serves until killed.
const http = require("http");
const body = JSON.stringify({ ok: true, items: [1, 2, 3], name: "bench" });
const server = http.createServer((req, res) => {
  let size = 0;
  req.on("data", (chunk) => { size += chunk.length; });
  req.on("end", () => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => { console.log(server.address().port); });
