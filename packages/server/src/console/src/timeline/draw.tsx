import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { shortDuration } from '../format.ts';

/** The width the picture has on screen, so text keeps its size at 390 px and at 1100 px. */
export function useWidth(fallback = 640): [(element: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(fallback);
  const observer = useRef<ResizeObserver | null>(null);
  useEffect(() => () => observer.current?.disconnect(), []);
  const ref = (element: HTMLElement | null) => {
    observer.current?.disconnect();
    if (element === null) return;
    observer.current = new ResizeObserver((entries) => {
      const next = Math.floor(entries[0]?.contentRect.width ?? fallback);
      if (next > 0) setWidth(next);
    });
    observer.current.observe(element);
  };
  return [ref, width];
}

export interface Scale {
  readonly x: (seconds: number) => number;
  readonly left: number;
  readonly right: number;
}

export function scale(span: number, width: number, pad = 12): Scale {
  const left = pad;
  const right = width - pad;
  const s = span > 0 ? span : 1;
  return { left, right, x: (t) => left + (Math.max(0, Math.min(t, s)) / s) * (right - left) };
}

const NICE = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000];

/** An axis of elapsed time with a few round ticks ("0", "2 h", "4 h", …). */
export function TimeAxis(props: { readonly span: number; readonly s: Scale; readonly y: number; readonly width: number }) {
  const wanted = Math.max(2, Math.floor(props.width / 90));
  const step = NICE.find((n) => props.span / n <= wanted) ?? NICE[NICE.length - 1]!;
  const ticks: number[] = [];
  for (let t = 0; t <= props.span && ticks.length < 40; t += step) ticks.push(t);
  return (
    <g class="axis" aria-hidden="true">
      <line x1={props.s.left} x2={props.s.right} y1={props.y} y2={props.y} />
      {ticks.map((t) => (
        <g key={t}>
          <line x1={props.s.x(t)} x2={props.s.x(t)} y1={props.y} y2={props.y + 4} />
          <text x={props.s.x(t)} y={props.y + 16} text-anchor={t === 0 ? 'start' : 'middle'}>
            {t === 0 ? 'sign-in' : shortDuration(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** A label beside a mark that stays inside the picture: anchored left, right or centred as room allows. */
export function MarkLabel(props: { readonly x: number; readonly y: number; readonly s: Scale; readonly class?: string; readonly children: ComponentChildren }) {
  const room = 70;
  const anchor = props.x - props.s.left < room ? 'start' : props.s.right - props.x < room ? 'end' : 'middle';
  return (
    <text x={props.x} y={props.y} text-anchor={anchor} class={props.class}>
      {props.children}
    </text>
  );
}
