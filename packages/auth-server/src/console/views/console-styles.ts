import { BUTTON_COLOURS } from '../../views/styles.ts';

/**
 * The console's stylesheet, at /admin/assets/console.css: the palette of the sign-in pages
 * (views/styles.ts: text #1f2933 on white, primary #1d4ed8, danger #b91c1c, focus ring #1e3a8a,
 * all WCAG 2.2 AA), laid out for wide tables and forms instead of a narrow card. No external
 * font or asset, no script.
 */
export const CONSOLE_STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5;color:#1f2933;background:#f3f4f6}
body{margin:0}
.skip{position:absolute;left:-10000px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:1rem;top:.5rem;z-index:1}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:1rem 2rem;background:#1f2933;color:#fff;padding:.75rem 1.5rem}
header.top .product{font-weight:700;font-size:1.0625rem}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header.top a{color:#fff;text-decoration:none;padding:.25rem .125rem;border-bottom:2px solid transparent}
header.top a:hover{border-bottom-color:#9ca3af}
header.top a[aria-current=page]{border-bottom-color:#fff;font-weight:600}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:.75rem;font-size:.9375rem}
header.top .who button{background:none;border:1px solid #9ca3af;color:#fff;border-radius:.375rem;padding:.25rem .75rem;font:inherit;cursor:pointer}
header.top :focus-visible{outline:3px solid #fff;outline-offset:2px}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 1rem}
h2{font-size:1.125rem;line-height:1.4;margin:1.5rem 0 .5rem}
p{margin:0 0 1rem}
a{color:#1d4ed8}
:focus-visible{outline:3px solid #1e3a8a;outline-offset:2px}
.panel{background:#fff;border-radius:.5rem;padding:1.25rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12);margin:0 0 1.25rem}
.muted{color:#4b5563}
table{width:100%;border-collapse:collapse;background:#fff;margin:0 0 1rem}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{font-weight:600;background:#f9fafb}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.875rem;overflow-wrap:anywhere}
dl.fields{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:.375rem 1.5rem;margin:0 0 1rem}
dl.fields dt{font-weight:600}
dl.fields dd{margin:0;overflow-wrap:anywhere}
.toolbar{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.75rem;margin:0 0 1rem}
.toolbar form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem;margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:0 0 1rem}
.actions form{margin:0}
label{display:block;font-weight:600;margin:0 0 .25rem}
.hint{display:block;font-weight:400;color:#4b5563;font-size:.875rem;margin:0 0 .25rem}
input[type=text],input[type=search],input[type=url],input[type=email],input[type=password],textarea,select{display:block;width:100%;max-width:40rem;font:inherit;padding:.5rem .625rem;border:1px solid #6b7280;border-radius:.375rem;background:#fff;color:inherit}
.toolbar input[type=search]{width:20rem}
textarea{min-height:4.5rem}
.field{margin:0 0 1rem}
fieldset{border:1px solid #d1d5db;border-radius:.375rem;margin:0 0 1rem;padding:.5rem 1rem .75rem;max-width:40rem}
legend{font-weight:600;padding:0 .25rem}
.check{display:flex;align-items:flex-start;gap:.5rem;margin:.25rem 0}
.check input{margin:.3rem 0 0;flex:none}
.check label{font-weight:400;margin:0}
[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
.field-error{color:#991b1b;font-weight:600;margin:0 0 .25rem}
button,.button{display:inline-block;font:inherit;font-weight:600;line-height:1.5;text-align:center;text-decoration:none;padding:.5rem 1rem;border-radius:.375rem;border:1px solid transparent;cursor:pointer}
${BUTTON_COLOURS}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fca5a5;border-radius:.375rem;padding:.75rem 1rem;margin:0 0 1rem}
.error h2{margin:0 0 .25rem;font-size:1rem}
.error ul{margin:0;padding-left:1.25rem}
.error a{color:#991b1b}
.notice{background:#eff6ff;border:1px solid #93c5fd;border-radius:.375rem;padding:.75rem 1rem;margin:0 0 1rem}
.secret{display:block;background:#f3f4f6;border:1px solid #d1d5db;border-radius:.375rem;padding:.75rem;font-size:1rem;margin:0 0 1rem;user-select:all}
.badge{display:inline-block;border-radius:999px;padding:0 .5rem;font-size:.8125rem;font-weight:600;background:#e5e7eb;color:#1f2933}
.badge.off{background:#fee2e2;color:#991b1b}
.pager{display:flex;gap:1rem}
`;
