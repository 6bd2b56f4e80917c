/**
 * The buttons' colours, shared by the pages and the admin console (console/views): white on
 * primary #1d4ed8 (6.7:1) and danger #b91c1c (6.5:1), hover darker.
 */
export const BUTTON_COLOURS = `.primary{background:#1d4ed8;color:#fff}
.primary:hover{background:#1e40af}
.secondary{background:#fff;color:#1f2933;border-color:#6b7280}
.secondary:hover{background:#f3f4f6}
.danger{background:#b91c1c;color:#fff}
.danger:hover{background:#991b1b}`;

/**
 * The one stylesheet of our pages: no external fonts or assets, system fonts, readable on a
 * phone, WCAG 2.2 AA contrast: text #1f2933 on #ffffff, primary #1d4ed8 and danger #b91c1c with
 * white (6.7:1 and 6.5:1), and a focus ring of #1e3a8a, 10.4:1 on the white around it (3:1 is
 * the minimum for a focus indicator, WCAG 1.4.11).
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5;color:#1f2933;background:#f3f4f6}
body{margin:0;padding:1rem;display:flex;flex-direction:column;align-items:center}
.brand{display:flex;align-items:center;gap:.5rem;width:100%;max-width:26rem;margin-top:6vh;font-weight:600;font-size:1.0625rem}
.brand img{max-height:2rem;max-width:8rem}
.support{width:100%;max-width:26rem;margin-top:1rem;text-align:center;font-size:.9375rem}
.support a{color:inherit}
.card{width:100%;max-width:26rem;margin-top:.75rem;background:#fff;border-radius:.75rem;padding:1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12),0 8px 24px rgba(0,0,0,.06)}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 1rem}
h2{font-size:1.0625rem;line-height:1.4;margin:0 0 .25rem}
.card>:last-child,.card>form:last-child>:last-child{margin-bottom:0}
p{margin:0 0 1rem}
.muted{color:#4b5563;font-size:.9375rem}
label{display:block;font-weight:600;margin:0 0 .25rem}
input[type=text],input[type=password],input[type=email]{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:1px solid #6b7280;border-radius:.5rem;margin:0 0 1rem;background:#fff;color:inherit}
button,.button{display:block;font:inherit;font-weight:600;line-height:1.5;text-align:center;text-decoration:none;padding:.625rem 1rem;border-radius:.5rem;border:1px solid transparent;cursor:pointer;width:100%;margin:0 0 .5rem}
${BUTTON_COLOURS}
.danger-outline{background:#fff;color:#b91c1c;border-color:#b91c1c}
.danger-outline:hover{background:#fef2f2}
:focus-visible{outline:3px solid #1e3a8a;outline-offset:2px}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fca5a5;border-radius:.5rem;padding:.625rem .75rem;margin:0 0 1rem}
.client{display:flex;align-items:center;gap:.75rem;margin:0 0 1rem}
.client h1{margin:0;flex:1}
.client img{flex:none;max-width:3rem;max-height:3rem;border-radius:.5rem}
ul.scopes{list-style:none;padding:0;margin:0 0 1.25rem;border:1px solid #e5e7eb;border-radius:.5rem}
ul.scopes li{padding:.625rem .75rem;border-top:1px solid #e5e7eb}
ul.scopes li:first-child{border-top:0}
ul.scopes code{font-size:.8125rem;color:#4b5563}
.app{border-top:1px solid #e5e7eb;padding:1.25rem 0 .75rem}
.app ul.scopes{margin-bottom:1rem}
.signed-in{border-top:1px solid #e5e7eb;padding-top:1.25rem}
ul.links{padding:0 0 0 1.25rem;margin:0 0 1rem}
ul.links li{margin:0 0 .5rem}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:1.5rem;letter-spacing:.1em;text-align:center;margin:0 0 1rem}
a{color:#1d4ed8}
.check{display:flex;align-items:flex-start;gap:.5rem}
.check input{margin:.3rem 0 0;flex:none}
.check label{font-weight:400;margin:0}
pre.mail{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.875rem;background:#f3f4f6;border-radius:.5rem;padding:.75rem;margin:0 0 1rem}
.qr{margin:0 0 1rem;text-align:center}
.qr svg{width:12rem;height:12rem}
ol.steps{padding:0 0 0 1.25rem;margin:0 0 1rem}
code.secret{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-spacing:.25em}
ul.recovery{list-style:none;padding:0;margin:0 0 1rem;columns:2;font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
ul.passkeys{list-style:none;padding:0;margin:0 0 1rem}
ul.passkeys li{margin:0 0 .75rem}
ul.passkeys p{margin:.25rem 0 .5rem}
form.passkey h2{margin:1.75rem 0 .5rem}
`;

/**
 * The rules that give the pages a brand's primary colour (config/brand.ts made sure white text
 * on it has a contrast of at least 4.5:1): buttons, links and the focus ring; hover is the colour
 * darkened, so its contrast only grows.
 *
 * @example
 * STYLESHEET + brandStyles('#0b5cad');
 */
export function brandStyles(color: string): string {
  const darker = `#${[1, 3, 5]
    .map((i) =>
      Math.round(Number.parseInt(color.slice(i, i + 2), 16) * 0.8)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
  return `.primary{background:${color}}
.primary:hover{background:${darker}}
a{color:${color}}
:focus-visible{outline-color:${color}}
`;
}
