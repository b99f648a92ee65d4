import { useEffect, useState } from 'preact/hooks';

/** The view named by the URL fragment (`#/organizations/acme` → `['organizations', 'acme']`). */
export function useRoute(): readonly string[] {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => setRoute(parse());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function parse(): string[] {
  return window.location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
}

export function href(...parts: readonly string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function go(...parts: readonly string[]): void {
  window.location.hash = href(...parts);
}
