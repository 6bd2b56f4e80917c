import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AuthServerError } from '../errors.ts';
import { BUILT_IN_CATALOGUE, type Catalogue, placeholders } from '../views/i18n.ts';
import { EN, type MessageKey, type Messages } from '../views/messages/en.ts';

const SETTING_NAME = 'PORTCULLIS_MESSAGES_DIR';
const LANGUAGE_FILE = /^([a-z]{2,3})\.json$/;

function invalid(message: string): AuthServerError {
  return new AuthServerError('config_invalid', `${SETTING_NAME}: ${message}`, {
    setting: SETTING_NAME,
  });
}

/**
 * The pages' languages: the built-in English and French, with the messages of `dir`
 * (PORTCULLIS_MESSAGES_DIR) over them. Each `<language>.json` there (`de.json`, `fr.json`,
 * `en.json`; a primary language tag) is an object of message keys to text: it overrides those
 * messages of a built-in language, or adds a language (English fills in what it lacks). A file
 * that is not JSON, a key that is no message, a value that is not text, or a text that drops or
 * adds a placeholder of the English message is refused in one line naming the file and the key;
 * nothing is half-loaded.
 *
 * @example
 * loadCatalogue('/etc/portcullis/messages'); // Map { 'en' => ..., 'fr' => ..., 'de' => ... }
 */
export function loadCatalogue(dir: string | undefined): Catalogue {
  if (dir === undefined || dir === '') return BUILT_IN_CATALOGUE;
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    throw invalid(`cannot read the folder "${dir}" (${(error as NodeJS.ErrnoException).code})`);
  }
  const catalogue = new Map(BUILT_IN_CATALOGUE);
  for (const name of names.sort()) {
    const language = LANGUAGE_FILE.exec(name)?.[1];
    if (!language) {
      throw invalid(`${name}: a messages file is named by its language, like de.json or fr.json`);
    }
    catalogue.set(language, { ...catalogue.get(language), ...readMessages(dir, name) });
  }
  return catalogue;
}

function readMessages(dir: string, name: string): Messages {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
  } catch (error) {
    throw invalid(`${name} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`${name} must hold an object of message keys to text`);
  }
  for (const [key, text] of Object.entries(parsed)) {
    if (!Object.hasOwn(EN, key)) {
      throw invalid(
        `${name}: "${key.slice(0, 80)}" is not a message (the keys are those of English)`,
      );
    }
    if (typeof text !== 'string' || text.trim() === '') {
      throw invalid(`${name}: "${key}" must be a non-empty text`);
    }
    const wanted = placeholders(EN[key as MessageKey]);
    const found = placeholders(text);
    if (wanted.join() !== found.join()) {
      const list = (names: string[]) =>
        names.length > 0 ? names.map((p) => `{${p}}`).join(' ') : 'no placeholder';
      throw invalid(
        `${name}: "${key}" must have ${list(wanted)}, like English, not ${list(found)}`,
      );
    }
  }
  return parsed as Messages;
}
