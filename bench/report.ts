import { writeFileSync } from 'node:fs';

/** One line of the bench table. */
export interface Row {
  readonly id: string;
  readonly measure: string;
  /** `null` when the feature has not landed yet. */
  readonly value: number | null;
  readonly unit: string;
  readonly baselines: Readonly<Record<string, number | null>>;
  readonly ratios: Readonly<Record<string, number>>;
  readonly goals: readonly { readonly text: string; readonly ok: boolean | null }[];
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

/** A horizontal bar chart of each row's ratios against its goal lines, as a standalone SVG. */
export function chartSvg(rows: readonly Row[], title: string): string {
  const bars = rows.flatMap((r) => Object.entries(r.ratios).map(([k, v]) => ({ label: `${r.id} ${k}`, value: v })));
  const width = 760;
  const left = 260;
  const rowHeight = 26;
  const height = 60 + bars.length * rowHeight;
  const max = Math.max(1, ...bars.map((b) => b.value)) * 1.1;
  const x = (v: number) => left + ((width - left - 40) * v) / max;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${x(1)}" y1="30" x2="${x(1)}" y2="${height - 10}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${x(1) + 4}" y="40" fill="#666">1×</text>`,
  ];
  bars.forEach((b, i) => {
    const y = 50 + i * rowHeight;
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
