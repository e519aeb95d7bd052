// Lints snippets with the project's real ESLint config through ESLint's Node API, in a plain Node
// process: ESLint loads eslint.config.mjs with import(), which Jest's module sandbox does not allow.
// Input (stdin): [{ "filePath": "workflows/x.ts", "code": "..." }]. Output (stdout): one array of
// { ruleId, message, line } per snippet, in order.
const { resolve } = require('node:path');
const { ESLint } = require('eslint');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const snippets = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const eslint = new ESLint({ cwd: resolve(__dirname, '..', '..') });
  const results = [];
  for (const { filePath, code } of snippets) {
    const [result] = await eslint.lintText(code, { filePath });
    results.push(result.messages.map(({ ruleId, message, line }) => ({ ruleId, message, line })));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
