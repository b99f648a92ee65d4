import { useEffect, useState } from 'preact/hooks';

/** Where the service serves the console; every view has its own path below it. */
const BASE = '/console/';
const NAVIGATE = 'tenure:navigate';

/** The view named by the path (`/console/organizations/acme` → `['organizations', 'acme']`). */
export function useRoute(): readonly string[] {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => setRoute(parse());
    window.addEventListener('popstate', onChange);
    window.addEventListener(NAVIGATE, onChange);
    return () => {
      window.removeEventListener('popstate', onChange);
      window.removeEventListener(NAVIGATE, onChange);
    };
  }, []);
  return route;
}

function parse(): string[] {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '';
  return path.split('/').filter((p) => p !== '').map(decodeURIComponent);
}

export function href(...parts: readonly string[]): string {
  return BASE + parts.map(encodeURIComponent).join('/');
}

export function go(...parts: readonly string[]): void {
  navigate(href(...parts));
}

function navigate(url: string): void {
  window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATE));
}

/**
 * Links to console views change the view without loading the page again (a plain click only: a
 * modified click, or one on a link with a target, does what the browser does). Old `#/view` links are
 * taken to their path.
 */
export function installLinkHandling(): void {
  if (window.location.hash.startsWith('#/')) window.history.replaceState(null, '', BASE + window.location.hash.slice(2));
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest('a');
    if (link === null || link === undefined || link.target !== '' || link.hasAttribute('download')) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || !url.pathname.startsWith(BASE) || url.pathname.startsWith(`${BASE}assets/`)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
