// language[-Script][-REGION], the shape .NET culture names take ("en-US", "zh-Hans-CN", "es-419").
const CULTURE_SHAPE = /^[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?$/i;
const languages = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * The canonical culture name ("EN-us" → "en-US"), or undefined when the text is not a culture name of a
 * language Node's ICU data knows. The check is done here so a typo fails before pwsh starts.
 */
export function canonicalCulture(text: string): string | undefined {
  if (!CULTURE_SHAPE.test(text)) return undefined;
  const [canonical] = Intl.getCanonicalLocales(text);
  if (canonical === undefined) return undefined;
  return languages.of(canonical) === undefined ? undefined : canonical;
}
