import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { contrastWithWhite, parseBrand } from '../src/config/brand.ts';
import type { AuthServerError } from '../src/errors.ts';
import { logoAsset, stylesheetAsset } from '../src/routes/assets.ts';
import { homePage } from '../src/views/home-page.ts';
import { BUILT_IN_CATALOGUE } from '../src/views/i18n.ts';
import { withPageContext } from '../src/views/page-context.ts';

// The brand settings (PORTCULLIS_BRAND_*, PORTCULLIS_SUPPORT_URL): what is accepted, the one-line
// refusals, and the layout and stylesheet they produce.

const folder = mkdtempSync(path.join(tmpdir(), 'portcullis-brand-'));
const file = (name: string, body: string | Buffer) => {
  const where = path.join(folder, name);
  writeFileSync(where, body);
  return where;
};
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const refusal = (env: Record<string, string>): AuthServerError | undefined => {
  try {
    parseBrand(env);
  } catch (error) {
    return error as AuthServerError;
  }
  return undefined;
};

test('unset, the brand is Portcullis with no logo, colour or support link', (t) => {
  t.deepEqual(parseBrand({}), { name: 'Portcullis' });
});

test('a name, a colour, a PNG logo and a support link are taken', (t) => {
  const brand = parseBrand({
    PORTCULLIS_BRAND_NAME: ' Acme Sign-in ',
    PORTCULLIS_BRAND_COLOR: '#0B5CAD',
    PORTCULLIS_BRAND_LOGO: file('logo.png', PNG),
    PORTCULLIS_SUPPORT_URL: 'https://help.acme.example/sign-in',
  });
  t.is(brand.name, 'Acme Sign-in');
  t.is(brand.color, '#0b5cad');
  t.is(brand.logo?.type, 'image/png');
  t.deepEqual(brand.logo?.body, PNG);
  t.is(brand.supportUrl, 'https://help.acme.example/sign-in');
  t.is(
    parseBrand({ PORTCULLIS_SUPPORT_URL: 'mailto:help@acme.example' }).supportUrl,
    'mailto:help@acme.example',
  );
});

test('an SVG logo is recognised by its content, after an XML prolog', (t) => {
  const svg = file(
    'logo.txt',
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  );
  t.is(parseBrand({ PORTCULLIS_BRAND_LOGO: svg }).logo?.type, 'image/svg+xml');
});

test('the contrast with white is computed as WCAG 2.2 does', (t) => {
  t.is(Math.round(contrastWithWhite('#000000') * 100) / 100, 21);
  t.is(Math.round(contrastWithWhite('#ffffff') * 100) / 100, 1);
  t.is(Math.round(contrastWithWhite('#1d4ed8') * 10) / 10, 6.7);
  t.is(Math.round(contrastWithWhite('#767676') * 100) / 100, 4.54);
});

test('a colour too light for white text is refused in one line with its ratio', (t) => {
  const error = refusal({ PORTCULLIS_BRAND_COLOR: '#3b82f6' });
  t.is(error?.code, 'config_invalid');
  t.is(error?.setting, 'PORTCULLIS_BRAND_COLOR');
  t.is(
    error?.message,
    'PORTCULLIS_BRAND_COLOR #3b82f6 has a contrast of 3.67:1 with white text; at least 4.5:1 is needed (WCAG 2.2 AA): choose a darker colour',
  );
  // The lightest grey that passes, and the darkest that does not.
  t.is(refusal({ PORTCULLIS_BRAND_COLOR: '#767676' }), undefined);
  t.regex(refusal({ PORTCULLIS_BRAND_COLOR: '#777777' })?.message ?? '', /4\.47:1/);
});

test('bad values are refused in one line naming the setting', (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { PORTCULLIS_BRAND_COLOR: 'blue' },
      /^PORTCULLIS_BRAND_COLOR must be a colour as #rrggbb, got "blue"$/,
    ],
    [{ PORTCULLIS_BRAND_COLOR: '#fff' }, /must be a colour as #rrggbb/],
    [
      { PORTCULLIS_BRAND_NAME: 'x'.repeat(61) },
      /^PORTCULLIS_BRAND_NAME must be 1 to 60 characters on one line$/,
    ],
    [{ PORTCULLIS_BRAND_NAME: 'two\nlines' }, /PORTCULLIS_BRAND_NAME must be/],
    [{ PORTCULLIS_BRAND_NAME: '   ' }, /PORTCULLIS_BRAND_NAME must be/],
    [
      { PORTCULLIS_BRAND_LOGO: path.join(folder, 'missing.png') },
      /^PORTCULLIS_BRAND_LOGO: cannot read ".*missing\.png" \(ENOENT\)$/,
    ],
    [
      { PORTCULLIS_BRAND_LOGO: file('logo.html', '<html><script>alert(1)</script>') },
      /is not a PNG, JPEG, WebP, GIF or SVG image$/,
    ],
    [
      { PORTCULLIS_BRAND_LOGO: file('huge.png', Buffer.concat([PNG, Buffer.alloc(300_000)])) },
      /bytes; a logo may have up to 262144$/,
    ],
    [
      { PORTCULLIS_SUPPORT_URL: 'http://help.acme.example' },
      /^PORTCULLIS_SUPPORT_URL must be an https URL or a mailto: address \(http only on loopback\)/,
    ],
    [{ PORTCULLIS_SUPPORT_URL: 'javascript:alert(1)' }, /PORTCULLIS_SUPPORT_URL must be/],
    [{ PORTCULLIS_SUPPORT_URL: 'help desk' }, /PORTCULLIS_SUPPORT_URL must be/],
  ];
  for (const [env, message] of cases) {
    const error = refusal(env);
    t.is(error?.code, 'config_invalid', JSON.stringify(env).slice(0, 80));
    t.regex(error?.message ?? '', message);
    t.false((error?.message ?? '').includes('\n'));
  }
  t.is(
    parseBrand({ PORTCULLIS_SUPPORT_URL: 'http://localhost:8080/help' }).supportUrl,
    'http://localhost:8080/help',
  );
});

test('pages show the brand in their title, header and footer; the name is escaped', (t) => {
  const brand = parseBrand({
    PORTCULLIS_BRAND_NAME: 'Acme <Sign-in>',
    PORTCULLIS_BRAND_LOGO: file('header.png', PNG),
    PORTCULLIS_SUPPORT_URL: 'https://help.acme.example/?a=1&b=2',
  });
  const page = withPageContext({ brand, catalogue: BUILT_IN_CATALOGUE }, () => homePage());
  t.regex(page, /<title>Authorization server · Acme &lt;Sign-in&gt;<\/title>/);
  t.regex(
    page,
    /<header class="brand"><img src="\/assets\/brand-logo" alt=""><span>Acme &lt;Sign-in&gt;<\/span><\/header>/,
  );
  t.regex(page, /<h1>Acme &lt;Sign-in&gt;<\/h1>/);
  t.regex(page, /<footer class="support"><a href="https:\/\/help\.acme\.example\/\?a=1&amp;b=2">/);
  // Outside of a request: ours, with no logo and no footer.
  const plain = homePage();
  t.regex(plain, /<title>Authorization server · Portcullis<\/title>/);
  t.notRegex(plain, /brand-logo|<footer/);
});

test('the stylesheet takes the colour, with a darker hover; the logo asset keeps its type', (t) => {
  const css = String(stylesheetAsset(parseBrand({ PORTCULLIS_BRAND_COLOR: '#0b5cad' })).body);
  t.regex(css, /\.primary\{background:#0b5cad\}/);
  t.regex(css, /\.primary:hover\{background:#094a8a\}/);
  t.regex(css, /:focus-visible\{outline-color:#0b5cad\}/);
  t.notRegex(String(stylesheetAsset(parseBrand({})).body), /outline-color/);
  const logo = parseBrand({ PORTCULLIS_BRAND_LOGO: file('asset.png', PNG) }).logo;
  t.is(logo && logoAsset(logo).type, 'image/png');
});
