/**
 * `npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [rows]`: where a V8 CPU profile's time went,
 * as two tables: the functions that spent it themselves (self time), and the files and packages whose
 * code was on the stack (total time, each counted once per sample), so that "fastify", "pino", "zod"
 * and this repository's files can be weighed against each other without a browser.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** A package's name from a path under node_modules, else the path from the repository's root. */
function placeOf(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string);
  }
  if (path.startsWith('node:')) return path;
  const root = process.cwd();
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

function main(): void {
  const [file, rowsArg] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: tsx bench/cpu-profile-summary.ts <file.cpuprofile> [rows]');
  const rows = Number(rowsArg ?? '30');
  const profile = CpuProfile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    all += micros;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      if (name === '(idle)') idle += micros;
      self.set(name, (self.get(name) ?? 0) + micros);
      return;
    }
    const fn = `${name || '(anonymous)'} ${placeOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    self.set(fn, (self.get(fn) ?? 0) + micros);
    const places = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame !== undefined && frame.url !== '') places.add(placeOf(frame.url));
    }
    for (const place of places) total.set(place, (total.get(place) ?? 0) + micros);
  });

  const busy = all - idle;
  const pct = (micros: number): string => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${(all / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle; shares of the latter:`);
  console.log('\nself time, by function:');
  for (const [fn, micros] of [...self].filter(([fn]) => fn !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`  ${pct(micros)}  ${fn}`);
  }
  console.log('\non the stack, by file or package:');
  for (const [place, micros] of [...total].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(micros)}  ${place}`);
}

main();
