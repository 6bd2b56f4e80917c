import { auditEventTypes } from '@portcullis/storage';
import { html, type SafeHtml } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';
import { type FormProblems, problemSummary, textField } from './form-fields.ts';

/** An audit event as the admin API sends it (the shape of `audit list --json`). */
export interface AuditEventJson {
  id: string;
  occurred_at: string;
  type: string;
  actor: string | null;
  client_id: string | null;
  subject: string | null;
  address: string | null;
  details: Record<string, unknown> | null;
}

/** The audit page's filters as the operator typed them (the query string's). */
export interface AuditFilters {
  since: string;
  type: string;
  client: string;
}

const FILTER_LABELS: Readonly<Record<string, string>> = {
  since: 'Since',
  type: 'Type',
  client: 'Client ID',
};

const when = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

// The type filter: every event type the trail knows, or any.
function typeSelect(selected: string, problems: FormProblems): SafeHtml {
  const messages = problems.fields.type ?? [];
  const invalid = messages.length > 0;
  return html`<div class="field"><label for="field-type">${FILTER_LABELS.type}</label>
${invalid ? html`<p class="field-error" id="field-type-error">${messages.join(' ')}</p>` : html``}
<select id="field-type" name="type"${invalid ? html` aria-invalid="true" aria-describedby="field-type-error"` : html``}><option value="">any type</option>
${auditEventTypes.map((type) => html`<option${type === selected ? html` selected` : html``}>${type}</option>`)}
</select></div>`;
}

// An event's details in one line, as `audit list` shows them; none: a dash.
const detailsOf = (details: AuditEventJson['details']) =>
  details && Object.keys(details).length > 0 ? html`<code>${JSON.stringify(details)}</code>` : '–';

// The filters of a page as a query string, with `cursor` for the next page.
function auditQuery(filters: AuditFilters, cursor?: string): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  if (cursor) query.set('cursor', cursor);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/**
 * The audit trail, the latest events first: the filters (time, type, client; the API's problems
 * next to their fields), a page of events, and the link to older ones.
 */
export function auditPage(options: {
  operator: Operator;
  filters: AuditFilters;
  problems: FormProblems;
  events: readonly AuditEventJson[];
  next?: string;
}): string {
  const { filters, problems, events } = options;
  const filtered = Boolean(filters.since || filters.type || filters.client);
  return consolePage({
    title: 'Audit trail',
    section: 'audit',
    operator: options.operator,
    body: html`<h1>Audit trail</h1>
${problemSummary(problems, FILTER_LABELS)}
<form method="get" action="/admin/audit" class="panel filters" aria-label="Filter the events">
${textField({ name: 'since', label: FILTER_LABELS.since as string, value: filters.since, hint: 'Events at or after this time, UTC: 2026-12-01, 2026-12-01 09:30 or 2026-12-01T09:30:00Z', problems })}
${typeSelect(filters.type, problems)}
${textField({ name: 'client', label: FILTER_LABELS.client as string, value: filters.client, hint: 'Events about this client', problems })}
<button type="submit" class="primary">Filter</button>${filtered ? html` <a href="/admin/audit">Clear the filters</a>` : html``}
</form>
<table>
<caption class="muted">${filtered ? 'Matching events' : 'Events'}, the latest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Client</th><th scope="col">Subject</th><th scope="col">Address</th><th scope="col">Details</th></tr></thead>
<tbody>
${events.map(
  (e) =>
    html`<tr><td>${when(e.occurred_at)}</td><td><code>${e.type}</code></td><td>${e.actor ?? '–'}</td><td>${e.client_id ? html`<a href="/admin/clients/${encodeURIComponent(e.client_id)}"><code>${e.client_id}</code></a>` : '–'}</td><td>${e.subject ?? '–'}</td><td>${e.address ?? '–'}</td><td>${detailsOf(e.details)}</td></tr>`,
)}
</tbody>
</table>
${events.length === 0 ? html`<p>No event${filtered ? html` matches these filters` : html` yet`}.</p>` : html``}
${options.next ? html`<p class="pager"><a href="/admin/audit${auditQuery(filters, options.next)}">Older events</a></p>` : html``}`,
  });
}
