// `npm run fuzz [-- --seed N --cases N --http-cases N --max-seconds N]`: mutated and forged credentials
// against the service over HTTP on loopback and the library in process (docs/security.md "Fuzzing").
import { runCampaign } from './campaign.ts';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} must be a non-negative integer, got ${JSON.stringify(process.argv[at + 1] ?? '')}\n`);
    process.exit(2);
  }
  return value;
}

const seed = option('seed', Math.floor(Date.now() / 1000) % 1_000_000);
const report = await runCampaign({
  seed,
  inProcessCases: option('cases', 1_000_000),
  httpCases: option('http-cases', 100_000),
  maxSeconds: option('max-seconds', 900),
  progress: (line) => process.stderr.write(`${line}\n`),
});

const rows = report.targets.map((t) => ({
  target: t.name,
  over: t.over,
  cases: t.cases,
  refused: t.refused,
  'accepted forgeries': t.forgeries.length,
  '5xx': t.serverErrors.length,
  'other spellings accepted': t.spellings.size,
  'same credential, other layout': t.sameCredential,
  'unsendable over HTTP': t.unsendable,
}));
console.table(rows);
console.log(`seed ${report.seed}: ${report.cases} credentials in ${report.seconds.toFixed(1)} s`);
console.log(`accepted forgeries: ${report.forgeries} (must be 0)`);
console.log(`5xx: ${report.serverErrors} (must be 0)`);
console.log(`distinct non-canonical spellings accepted: ${report.spellings} (must be 0: credentials are canonical-only)`);
for (const t of report.targets) {
  for (const value of [...t.forgeries, ...t.serverErrors, ...t.spellings].slice(0, 5)) console.log(`  ${t.name}: ${JSON.stringify(value)}`);
}
if (!report.baselineOk) console.log('a canonical credential was refused before the run: the run proves nothing');
process.exit(report.forgeries === 0 && report.serverErrors === 0 && report.spellings === 0 && report.baselineOk ? 0 : 1);
