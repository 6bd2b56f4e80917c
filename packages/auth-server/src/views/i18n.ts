import { EN, type MessageKey, type Messages } from './messages/en.ts';
import { FR } from './messages/fr.ts';
import { currentPageContext } from './page-context.ts';

export type { MessageKey, Messages } from './messages/en.ts';

/**
 * The languages the pages speak, by primary language tag (`en`, `fr`, `de`): the built-in ones
 * and those of PORTCULLIS_MESSAGES_DIR (config/messages.ts). English is always there, complete.
 */
export type Catalogue = ReadonlyMap<string, Messages>;

/** English and French, as shipped. */
export const BUILT_IN_CATALOGUE: Catalogue = new Map<string, Messages>([
  ['en', EN],
  ['fr', FR],
]);

/** A placeholder of a message: `{name}`. */
export const PLACEHOLDER = /\{([a-z_]+)\}/g;

/**
 * The placeholders of a message, sorted: what a translation must have, no more, no fewer.
 *
 * @example
 * placeholders('Sign in with {provider}'); // ['provider']
 */
export function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
}

/**
 * The language of `acceptLanguage` (an Accept-Language header) that `available` has: by
 * q-value, highest first (ties in the header's order), each range matched by its primary tag
 * (`fr-CA` is `fr`); `*` and no match give English. A q of 0 means "not this one".
 *
 * @example
 * negotiateLanguage('de;q=0.9, fr-CH, en;q=0.5', ['en', 'fr']); // 'fr'
 */
export function negotiateLanguage(
  acceptLanguage: string | undefined,
  available: Iterable<string>,
): string {
  const languages = new Set(available);
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 32)
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return {
        tag: range.trim().toLowerCase().split('-')[0] ?? '',
        weight: Number.isFinite(weight) ? weight : 0,
        index,
      };
    })
    .filter((r) => r.tag !== '' && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === '*') return 'en';
    if (languages.has(tag)) return tag;
  }
  return 'en';
}

/** The language of the page being rendered (`en` outside of a request). */
export function currentLanguage(): string {
  const context = currentPageContext();
  if (!context) return 'en';
  context.language ??= negotiateLanguage(context.acceptLanguage, context.catalogue.keys());
  return context.language;
}

/** The message `key` of the page's language as written, placeholders unfilled. */
export function template(key: MessageKey): string {
  const language = currentLanguage();
  if (language === 'en') {
    return currentPageContext()?.catalogue.get('en')?.[key] ?? EN[key];
  }
  const catalogue = currentPageContext()?.catalogue;
  return catalogue?.get(language)?.[key] ?? catalogue?.get('en')?.[key] ?? EN[key];
}

/**
 * The message `key` in the page's language, its placeholders filled with `params` (text).
 *
 * @example
 * t('providers.button', { provider: 'Acme SSO' }); // 'Se connecter avec Acme SSO' for French
 */
export function t(key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  return template(key).replace(PLACEHOLDER, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Text a route hands a view as it is, in no catalogue: see {@link verbatim}. */
interface Verbatim {
  readonly verbatim: string;
}

/**
 * What a route hands a view to say: a catalogue message by its key (typed: a message renamed or
 * removed from en.ts is a compile error at every route that names it, never a sentence that
 * silently stops being translated), the key with its placeholders' values, or text marked
 * {@link verbatim} (a client's registered name, a service's own sentence), shown as it is.
 *
 * @example
 * messagePage('refused.title', { key: 'idp.unreachable', params: { provider } }, 'idp.unreachable_hint');
 */
export type Said =
  | MessageKey
  | { readonly key: MessageKey; readonly params: Readonly<Record<string, string | number>> }
  | Verbatim;

/**
 * `text` to be shown as it is, in every language: a name, or a service's own sentence (which
 * has no catalogue message, so it stays in English).
 *
 * @example
 * loginPage({ ..., client: { name: verbatim(client.name) } });
 */
export function verbatim(text: string): Said {
  return { verbatim: text };
}

/**
 * What `said` says in the page's language.
 *
 * @example
 * say('refused.title'); // 'Demande refusée' for French
 * say({ key: 'providers.button', params: { provider: 'Acme SSO' } });
 */
export function say(said: Said): string {
  if (typeof said === 'string') return t(said);
  if ('verbatim' in said) return said.verbatim;
  return t(said.key, said.params);
}
