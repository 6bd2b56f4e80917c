import { readFileSync } from 'node:fs';
import { AuthServerError } from '../errors.ts';
import { type Brand, type BrandLogo, DEFAULT_BRAND } from '../views/brand.ts';

const MAX_LOGO_BYTES = 256 * 1024;
const MIN_CONTRAST = 4.5;

function invalid(setting: string, message: string): AuthServerError {
  return new AuthServerError('config_invalid', message, { setting });
}

const unset = (value: string | undefined): value is undefined | '' =>
  value === undefined || value === '';

/**
 * Reads the brand settings (PORTCULLIS_BRAND_NAME, PORTCULLIS_BRAND_LOGO, PORTCULLIS_BRAND_COLOR,
 * PORTCULLIS_SUPPORT_URL): the logo file is read once, here; a colour whose contrast against
 * white is under 4.5:1 (WCAG 2.2 AA for text) is refused, naming its ratio.
 *
 * @example
 * parseBrand({ PORTCULLIS_BRAND_NAME: 'Acme', PORTCULLIS_BRAND_COLOR: '#0b5cad' });
 */
export function parseBrand(env: NodeJS.ProcessEnv): Brand {
  const brand: Brand = { name: parseName(env.PORTCULLIS_BRAND_NAME) };
  if (!unset(env.PORTCULLIS_BRAND_LOGO)) brand.logo = readLogo(env.PORTCULLIS_BRAND_LOGO);
  if (!unset(env.PORTCULLIS_BRAND_COLOR)) brand.color = parseColor(env.PORTCULLIS_BRAND_COLOR);
  if (!unset(env.PORTCULLIS_SUPPORT_URL)) {
    brand.supportUrl = parseSupportUrl(env.PORTCULLIS_SUPPORT_URL);
  }
  return brand;
}

function parseName(value: string | undefined): string {
  if (unset(value)) return DEFAULT_BRAND.name;
  const name = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name === '' || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw invalid(
      'PORTCULLIS_BRAND_NAME',
      'PORTCULLIS_BRAND_NAME must be 1 to 60 characters on one line',
    );
  }
  return name;
}

function readLogo(file: string): BrandLogo {
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalid(
      'PORTCULLIS_BRAND_LOGO',
      `PORTCULLIS_BRAND_LOGO: cannot read "${file}" (${reason})`,
    );
  }
  if (body.length > MAX_LOGO_BYTES) {
    throw invalid(
      'PORTCULLIS_BRAND_LOGO',
      `PORTCULLIS_BRAND_LOGO: "${file}" is ${body.length} bytes; a logo may have up to ${MAX_LOGO_BYTES}`,
    );
  }
  const type = imageType(body);
  if (!type) {
    throw invalid(
      'PORTCULLIS_BRAND_LOGO',
      `PORTCULLIS_BRAND_LOGO: "${file}" is not a PNG, JPEG, WebP, GIF or SVG image`,
    );
  }
  return { type, body };
}

// The image type from the file's signature; an SVG is text whose first element is <svg.
function imageType(body: Buffer): BrandLogo['type'] | undefined {
  const hex = body.subarray(0, 12).toString('hex');
  if (hex.startsWith('89504e470d0a1a0a')) return 'image/png';
  if (hex.startsWith('ffd8ff')) return 'image/jpeg';
  if (hex.startsWith('52494646') && hex.slice(16, 24) === '57454250') return 'image/webp';
  if (hex.startsWith('474946383761') || hex.startsWith('474946383961')) return 'image/gif';
  const text = body
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const withoutProlog = text.replace(
    /^\s*(<\?xml[^>]*>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*/i,
    '',
  );
  return /^<svg[\s>]/.test(withoutProlog) ? 'image/svg+xml' : undefined;
}

function parseColor(value: string): string {
  if (!/^#[0-9a-f]{6}$/i.test(value)) {
    throw invalid(
      'PORTCULLIS_BRAND_COLOR',
      `PORTCULLIS_BRAND_COLOR must be a colour as #rrggbb, got "${value.slice(0, 40)}"`,
    );
  }
  const color = value.toLowerCase();
  const ratio = contrastWithWhite(color);
  if (ratio < MIN_CONTRAST) {
    throw invalid(
      'PORTCULLIS_BRAND_COLOR',
      `PORTCULLIS_BRAND_COLOR ${color} has a contrast of ${Math.floor(ratio * 100) / 100}:1 with white text; at least ${MIN_CONTRAST}:1 is needed (WCAG 2.2 AA): choose a darker colour`,
    );
  }
  return color;
}

/**
 * The WCAG 2.2 contrast ratio of `#rrggbb` with white (1 to 21).
 *
 * @example
 * contrastWithWhite('#1d4ed8'); // 6.70...
 */
export function contrastWithWhite(color: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (luminance + 0.05);
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;

function parseSupportUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const allowed =
    url &&
    (url.protocol === 'https:' ||
      (url.protocol === 'mailto:' && url.pathname.includes('@')) ||
      (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname)));
  if (!allowed || value.length > 2000) {
    throw invalid(
      'PORTCULLIS_SUPPORT_URL',
      `PORTCULLIS_SUPPORT_URL must be an https URL or a mailto: address (http only on loopback), got "${value.slice(0, 200)}"`,
    );
  }
  return url.href;
}
