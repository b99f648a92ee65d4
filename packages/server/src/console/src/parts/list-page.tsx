import type { ComponentChild, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, listAll } from '../api.ts';

/** Every item of an admin list (`GET path`, all pages), loaded once; `items` is null while loading. */
export function useListAll<T>(path: string, plural: string): { readonly items: readonly T[] | null; readonly error: string } {
  const [items, setItems] = useState<readonly T[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void listAll<T>(path, plural).then((answer) => {
      if (answer.ok) setItems(answer.data);
      else setError(answer.error?.message ?? `could not load ${plural}`);
    });
  }, [path, plural]);
  return { items, error };
}

export interface SearchableListProps<T> {
  /** Prefix of the search field's ids (`<id>-search`, `<id>-count`). */
  readonly id: string;
  /** Plural name of the items, lower case: "organizations". */
  readonly plural: string;
  readonly items: readonly T[] | null;
  readonly error: string;
  /** Whether an item matches the trimmed, lower-cased query (never called for an empty query). */
  readonly matches: (item: T, query: string) => boolean;
  readonly keyOf: (item: T) => string;
  /** The table's columns: a header (also each cell's label on narrow screens) and a cell. */
  readonly columns: readonly { readonly header: string; readonly cell: (item: T) => ComponentChild }[];
}

/** A searchable table of all items, with the count shown and the load error if any. */
export function SearchableList<T>(props: SearchableListProps<T>) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const shown = (props.items ?? []).filter((item) => q === '' || props.matches(item, q));
  return (
    <section class="card">
      <label for={`${props.id}-search`}>Search {props.plural}</label>
      <input id={`${props.id}-search`} type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} aria-describedby={`${props.id}-count`} />
      <p id={`${props.id}-count`} class="help" role="status">
        {props.items === null ? 'Loading…' : `${shown.length} of ${props.items.length} ${props.plural}`}
      </p>
      {props.error !== '' && <p class="form-error" role="alert">{props.error}</p>}
      {shown.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">{titled(props.plural)}</caption>
          <thead>
            <tr>
              {props.columns.map((column) => (
                <th scope="col" key={column.header}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={props.keyOf(item)}>
                {props.columns.map((column) => (
                  <td data-label={column.header} key={column.header}>
                    {column.cell(item)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export interface ListPageProps<T> extends Omit<SearchableListProps<T>, 'items' | 'error'> {
  /** The list's path in the admin API; `plural` names its items in the answer. */
  readonly path: string;
  readonly create: {
    readonly title: string;
    readonly button: string;
    /** The `id` of the form's error line, when a field refers to it. */
    readonly errorId?: string;
    /** The body of `POST path` from the form. */
    readonly body: (data: FormData) => Record<string, unknown>;
    /** Goes on to the item created. */
    readonly created: (item: T) => void;
  };
  /** The create form's fields. */
  readonly children: ComponentChildren;
}

/** An admin list page: its title, the searchable list of every item, and a form that creates one. */
export function ListPage<T>(props: ListPageProps<T>) {
  const { items, error } = useListAll<T>(props.path, props.plural);
  const [createError, setCreateError] = useState('');
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const answer = await api<T>('POST', props.path, props.create.body(new FormData(event.currentTarget as HTMLFormElement)));
    if (answer.ok) props.create.created(answer.data);
    else setCreateError(answer.error?.message ?? 'not created');
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>{titled(props.plural)}</h1>
      <SearchableList id={props.id} plural={props.plural} items={items} error={error} matches={props.matches} keyOf={props.keyOf} columns={props.columns} />
      <section class="card">
        <h2>{props.create.title}</h2>
        <form onSubmit={onSubmit} class="stacked">
          {props.children}
          <p {...(props.create.errorId === undefined ? {} : { id: props.create.errorId })} class="field-error" role="alert">
            {createError}
          </p>
          <div class="actions">
            <button type="submit">{props.create.button}</button>
          </div>
        </form>
      </section>
    </main>
  );
}

function titled(plural: string): string {
  return plural.charAt(0).toUpperCase() + plural.slice(1);
}
