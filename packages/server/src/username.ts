import { shortText } from 'tenure/core/describe-value';
import { TenureError } from 'tenure/core/errors';

/** Longest key a user name may normalize to (NFKC can lengthen a name: one character may become 18). */
const MAX_KEY = 640;

/**
 * The key two user names share when a person would take them for the same name: Unicode NFKC (so
 * full-width `Ａｌｉｃｅ` and `Alice` agree), then case-folded (upper then lower case, so `ß` and `SS`
 * agree), then NFKC again — in the manner of RFC 8265's UsernameCaseMapped profile. Directories are
 * unique on this key and sign-in looks users up by it; the name itself is kept as typed, for display.
 * @throws TenureError `invalid_request` when the normalized name is over 640 characters.
 */
export function usernameKey(username: string): string {
  const key = username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  if (key.length > MAX_KEY) throw new TenureError('invalid_request', `username is too long once normalized (over ${MAX_KEY} characters)`);
  return key;
}

/** The conflict's subject: `a user named "alice" (or the same name in another case or width)`. */
export function usernameTaken(username: string): string {
  return `a user named ${JSON.stringify(shortText(username))} (or the same name in another case or width)`;
}
