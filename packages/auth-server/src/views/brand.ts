/** A logo file read at start and served by us at {@link BRAND_LOGO_PATH} (no external asset). */
export interface BrandLogo {
  /** Its media type, from the file's first bytes (not its name). */
  type: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'image/svg+xml';
  body: Buffer;
}

/**
 * What our pages show of the product: its name, logo, primary colour and support link
 * (config/brand.ts reads it from PORTCULLIS_BRAND_NAME, PORTCULLIS_BRAND_LOGO, PORTCULLIS_BRAND_COLOR
 * and PORTCULLIS_SUPPORT_URL).
 */
export interface Brand {
  name: string;
  logo?: BrandLogo;
  /** The primary colour (`#rrggbb`, lower case), at least 4.5:1 against white; unset: ours. */
  color?: string;
  /** Where the pages' footer sends someone who needs help (https, mailto, or http on loopback). */
  supportUrl?: string;
}

/** Where the configured logo is served (views/html.ts shows it in every page's header). */
export const BRAND_LOGO_PATH = '/assets/brand-logo';

/** The brand when nothing is configured. */
export const DEFAULT_BRAND: Brand = { name: 'Portcullis' };
