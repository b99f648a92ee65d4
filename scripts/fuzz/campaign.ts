import { isSpellingOf, seededRandom } from './mutate.ts';
import { startFixture, type Outcome, type Target } from './targets.ts';

export interface CampaignOptions {
  readonly seed: number;
  /** Mutated credentials checked in process (spread over the in-process targets). */
  readonly inProcessCases: number;
  /** Mutated credentials sent over HTTP on loopback (spread over the HTTP targets). */
  readonly httpCases: number;
  /** Stop early after this long; the report says how many cases ran. */
  readonly maxSeconds: number;
  /** Requests in flight over HTTP. @default 32 */
  readonly concurrency?: number;
  readonly progress?: (line: string) => void;
}

export interface TargetReport {
  readonly name: string;
  readonly over: 'http' | 'in-process';
  cases: number;
  refused: number;
  unsendable: number;
  /** Accepted header layouts of the canonical credential itself (a chunked cookie's chunks reordered). */
  sameCredential: number;
  /** Accepted strings that are not a spelling of the canonical credential. Must be 0. */
  readonly forgeries: string[];
  /** 5xx answers, or exceptions in process. Must be 0. */
  readonly serverErrors: string[];
  /** Distinct accepted spellings of the canonical credential other than itself. */
  readonly spellings: Set<string>;
}

export interface CampaignReport {
  readonly seed: number;
  readonly seconds: number;
  readonly cases: number;
  readonly targets: readonly TargetReport[];
  readonly forgeries: number;
  readonly serverErrors: number;
  readonly spellings: number;
  /** Whether every canonical credential was accepted before the run (else the run proves nothing). */
  readonly baselineOk: boolean;
}

/**
 * Runs the fuzz campaign: every target gets its share of mutated and forged credentials; each accepted
 * one is sorted into a forgery or another spelling of the real credential.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const fixture = await startFixture();
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const reports: TargetReport[] = [];
  let baselineOk = true;
  try {
    for (const target of fixture.targets) {
      // Refresh tokens rotate when used: the canonical one is never presented.
      if (!target.name.startsWith('refresh') && (await target.check(target.canonical)) !== 'accepted') baselineOk = false;
    }
    for (const over of ['in-process', 'http'] as const) {
      const targets = fixture.targets.filter((t) => t.over === over);
      const total = over === 'http' ? options.httpCases : options.inProcessCases;
      for (const [index, target] of targets.entries()) {
        const share = Math.floor(total / targets.length) + (index < total % targets.length ? 1 : 0);
        const rand = seededRandom(options.seed * 1009 + reports.length);
        const report = await attack(target, share, rand, over === 'http' ? (options.concurrency ?? 32) : 1, deadline);
        reports.push(report);
        options.progress?.(`fuzz: ${target.name} (${over}): ${report.cases} cases, ${report.forgeries.length} accepted forgeries, ${report.serverErrors.length} 5xx, ${report.spellings.size} other spellings`);
      }
    }
  } finally {
    await fixture.close();
  }
  return {
    seed: options.seed,
    seconds: (performance.now() - started) / 1000,
    cases: reports.reduce((n, r) => n + r.cases, 0),
    targets: reports,
    forgeries: reports.reduce((n, r) => n + r.forgeries.length, 0),
    serverErrors: reports.reduce((n, r) => n + r.serverErrors.length, 0),
    spellings: reports.reduce((n, r) => n + r.spellings.size, 0),
    baselineOk,
  };
}

async function attack(target: Target, cases: number, rand: () => number, concurrency: number, deadline: number): Promise<TargetReport> {
  const report: TargetReport = { name: target.name, over: target.over, cases: 0, refused: 0, unsendable: 0, sameCredential: 0, forgeries: [], serverErrors: [], spellings: new Set() };
  const canonical = target.credentialOf(target.canonical);
  const record = (value: string, outcome: Outcome): void => {
    if (outcome === 'unsendable') {
      report.unsendable += 1;
      return;
    }
    report.cases += 1;
    const credential = target.credentialOf(value);
    if (outcome === 'refused') report.refused += 1;
    else if (outcome === 'server_error') report.serverErrors.push(value.slice(0, 300));
    // The same credential laid out otherwise in its header (cookies reordered or repeated): transport, not a spelling.
    else if (credential === canonical) report.sameCredential += 1;
    else if (isSpellingOf(credential, canonical)) report.spellings.add(value);
    else report.forgeries.push(value.slice(0, 300));
  };
  let issued = 0;
  // Case generation stays on one sequence, so a seed names the same cases whatever the concurrency.
  const worker = async (): Promise<void> => {
    while (issued < cases && (issued % 256 !== 0 || performance.now() < deadline)) {
      issued += 1;
      const value = target.mutate(rand);
      record(value, await target.check(value));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}
