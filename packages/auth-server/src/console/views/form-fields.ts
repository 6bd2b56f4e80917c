import { html, type SafeHtml } from '../../views/html.ts';

/** A form's problems: by field name (the admin API's body key), and those of no field. */
export interface FormProblems {
  fields: Readonly<Record<string, readonly string[]>>;
  general: readonly string[];
}

/** No problems. */
export const NO_PROBLEMS: FormProblems = { fields: {}, general: [] };

/** The element id of a field's input. */
const fieldId = (name: string) => `field-${name.replaceAll('_', '-')}`;

// The field's error lines and the attributes tying them to its input (WCAG 3.3.1).
function errorsOf(name: string, problems: FormProblems) {
  const messages = problems.fields[name] ?? [];
  const id = `${fieldId(name)}-error`;
  return {
    lines:
      messages.length > 0
        ? html`<p class="field-error" id="${id}">${messages.join(' ')}</p>`
        : html``,
    attributes: (hintId?: string) => {
      const described = [messages.length > 0 ? id : undefined, hintId].filter(Boolean).join(' ');
      return html`${described ? html` aria-describedby="${described}"` : html``}${messages.length > 0 ? html` aria-invalid="true"` : html``}`;
    },
  };
}

/**
 * The summary at the top of a form that the API refused: every problem, each field's linked to
 * its input, focusable by its heading so that a keyboard user finds it first.
 */
export function problemSummary(
  problems: FormProblems,
  labels: Readonly<Record<string, string>>,
): SafeHtml {
  const entries = Object.entries(problems.fields).filter(([, messages]) => messages.length > 0);
  if (entries.length === 0 && problems.general.length === 0) return html``;
  return html`<div class="error" role="alert" aria-labelledby="problem-heading">
<h2 id="problem-heading">Nothing was saved: the admin API refused the form</h2>
<ul>
${problems.general.map((line) => html`<li>${line}</li>`)}
${entries.map(([name, messages]) => html`<li><a href="#${fieldId(name)}">${labels[name] ?? name}</a>: ${messages.join(' ')}</li>`)}
</ul>
</div>`;
}

/** What a labelled field is: its body key, label, hint and the form's problems. */
interface FieldOptions {
  name: string;
  label: string;
  hint?: string;
  problems: FormProblems;
}

// A field's label, hint and errors around its control, which `control` draws given its id and
// the attributes tying it to the hint and errors.
function labelled(
  options: FieldOptions,
  control: (id: string, aria: SafeHtml) => SafeHtml,
): SafeHtml {
  const id = fieldId(options.name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  const errors = errorsOf(options.name, options.problems);
  return html`<div class="field"><label for="${id}">${options.label}</label>
${options.hint ? html`<span class="hint" id="${hintId}">${options.hint}</span>` : html``}${errors.lines}
${control(id, errors.attributes(hintId))}</div>`;
}

/**
 * A one-line text input with its label, hint and errors. A `password` input never shows a value:
 * a password typed into a refused form is not sent back to the browser.
 */
export function textField(
  options: FieldOptions & {
    value: string;
    type?: 'text' | 'url' | 'email' | 'password';
    required?: boolean;
    /** The browser's autofill hint: `new-password` keeps password managers from filling one in. */
    autocomplete?: 'off' | 'username' | 'new-password' | 'email' | 'name';
  },
): SafeHtml {
  const value = options.type === 'password' ? '' : options.value;
  return labelled(
    options,
    (id, aria) =>
      html`<input type="${options.type ?? 'text'}" id="${id}" name="${options.name}" value="${value}"${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : html``}${options.required ? html` required` : html``}${aria}>`,
  );
}

/** A choice of one of a few values, with its label, hint and errors. */
export function selectField(
  options: FieldOptions & {
    value: string;
    choices: ReadonlyArray<{ value: string; label: string }>;
  },
): SafeHtml {
  return labelled(
    options,
    (id, aria) =>
      html`<select id="${id}" name="${options.name}"${aria}>${options.choices.map((choice) => html`<option value="${choice.value}"${choice.value === options.value ? html` selected` : html``}>${choice.label}</option>`)}</select>`,
  );
}

/** A multi-line input (one item per line) with its label, hint and errors. */
export function linesField(options: FieldOptions & { value: readonly string[] }): SafeHtml {
  return labelled(
    options,
    (id, aria) =>
      html`<textarea id="${id}" name="${options.name}" rows="3"${aria}>${options.value.join('\n')}</textarea>`,
  );
}

/**
 * Checkboxes of one list field (`grant_types`) in a fieldset with its legend and errors. Each box
 * has a name of its own (`grant_types.client_credentials`): forms refuse a repeated field.
 */
export function checkboxes(options: {
  name: string;
  legend: string;
  choices: ReadonlyArray<{ value: string; label: string }>;
  checked: readonly string[];
  problems: FormProblems;
}): SafeHtml {
  const id = fieldId(options.name);
  const errors = errorsOf(options.name, options.problems);
  return html`<fieldset id="${id}" tabindex="-1"${errors.attributes()}><legend>${options.legend}</legend>${errors.lines}
${options.choices.map((choice, index) => {
  const boxId = `${id}-${index}`;
  return html`<div class="check"><input type="checkbox" id="${boxId}" name="${options.name}.${choice.value}" value="on"${options.checked.includes(choice.value) ? html` checked` : html``}><label for="${boxId}">${choice.label}</label></div>`;
})}
</fieldset>`;
}

/** One yes/no setting as a checkbox with its label and errors. */
export function checkbox(options: {
  name: string;
  label: string;
  checked: boolean;
  problems: FormProblems;
}): SafeHtml {
  const id = fieldId(options.name);
  const errors = errorsOf(options.name, options.problems);
  return html`${errors.lines}<div class="check"><input type="checkbox" id="${id}" name="${options.name}" value="on"${options.checked ? html` checked` : html``}${errors.attributes()}><label for="${id}">${options.label}</label></div>`;
}

/** The hidden CSRF field of every console form. */
export const csrfField = (token: string) =>
  html`<input type="hidden" name="csrf" value="${token}">`;

/** A form of one button (disable, enable, rotate...), with its CSRF token and the ETag read. */
export function actionButton(options: {
  action: string;
  label: string;
  csrf: string;
  etag?: string;
  kind?: 'primary' | 'secondary' | 'danger';
}): SafeHtml {
  return html`<form method="post" action="${options.action}">${csrfField(options.csrf)}${options.etag ? html`<input type="hidden" name="etag" value="${options.etag}">` : html``}<button type="submit" class="${options.kind ?? 'secondary'}">${options.label}</button></form>`;
}
