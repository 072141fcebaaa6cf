// In a /u regular expression a surrogate pair is one code point; only an unpaired half is in General_Category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `text` cannot be encoded as UTF-8 as it is: UTF-8 would silently turn the lone half into U+FFFD. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

export const LONE_SURROGATE_PROBLEM =
  "must be valid Unicode (it holds a lone UTF-16 surrogate, which has no UTF-8 form)";
