import { writeFileSync } from 'node:fs';

/** One line of the bench table. */
export interface Row {
  readonly id: string;
  /** What tells the row from others with its id, in the chart (`hot`, `SQLite`, `1,000,000`). */
  readonly tag?: string;
  readonly measure: string;
  /** `null` when the feature has not landed yet. */
  readonly value: number | null;
  readonly unit: string;
  readonly baselines: Readonly<Record<string, number | null>>;
  readonly ratios: Readonly<Record<string, number>>;
  readonly goals: readonly { readonly text: string; readonly ok: boolean | null }[];
  /** Per-round figures behind a median (HTTP rows): what the ratio was taken from, for the results file. */
  readonly rounds?: readonly Readonly<Record<string, number>>[];
  readonly note?: string;
}

const fmt = (n: number | null): string => (n === null ? 'not built yet' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function printTable(rows: readonly Row[]): string {
  const lines = ['| # | measure | Tenure | baselines (same run) | ratios | goals |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const baselines = Object.entries(r.baselines).map(([k, v]) => `${k}: ${fmt(v)}`).join('; ') || '—';
    const ratios = Object.entries(r.ratios).map(([k, v]) => `${v.toFixed(2)}× ${k}`).join('; ') || '—';
    const goals = r.goals.map((g) => `${g.ok === null ? '…' : g.ok ? '✔' : '✘'} ${g.text}`).join('; ');
    lines.push(`| ${r.id} | ${r.measure} | ${r.value === null ? 'not built yet' : `${fmt(r.value)} ${r.unit}`} | ${baselines} | ${ratios} | ${goals}${r.note === undefined ? '' : ` (${r.note})`} |`);
  }
  return lines.join('\n');
}

/**
 * A horizontal bar chart of each row's ratios, as a standalone SVG, on a log scale: the ratios span
 * 0.01× (P5, P6) to hundreds (P1 against iron-session), and the ones near 1× must stay readable.
 */
export function chartSvg(rows: readonly Row[], title: string): string {
  const bars = rows.flatMap((r) => Object.entries(r.ratios).map(([k, v]) => ({ label: `${r.id}${r.tag === undefined ? '' : ` ${r.tag}`} ${k}`, value: v })));
  const width = 760;
  const left = 260;
  const rowHeight = 26;
  const height = 70 + bars.length * rowHeight;
  const values = bars.map((b) => b.value).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(1, ...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(1, ...values) * 1.5));
  const x = (v: number) => left + ((width - left - 60) * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let tick = lo; tick <= hi; tick *= 10) {
    const one = Math.abs(tick - 1) < 1e-9;
    out.push(`<line x1="${x(tick)}" y1="32" x2="${x(tick)}" y2="${height - 10}" stroke="${one ? '#666' : '#ddd'}"${one ? ' stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${x(tick) + 3}" y="42" fill="#666">${tick >= 1 ? tick.toFixed(0) : String(Number(tick.toPrecision(1)))}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = 52 + i * rowHeight;
    out.push(`<text x="10" y="${y + 14}">${escapeXml(b.label)}</text>`);
    out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(b.value) - left)}" height="18" fill="#3b7dd8"/>`);
    out.push(`<text x="${x(b.value) + 4}" y="${y + 14}">${b.value.toFixed(2)}×</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
