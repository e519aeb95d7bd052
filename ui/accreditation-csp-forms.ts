import { EVIDENCE_KINDS } from '../domain/accreditation';
import { DEPLOYMENT_MODELS } from '../domain/procurement/hosting-rules';
import type { Actor } from '../domain/shared/actor';
import { BASELINES } from '../domain/shared/vocabulary';
import type { CspView } from '../workflows/csp/messages';
import { commandIdField, csrfField, errorSummary, lines, selectField, textArea, textField, type FormErrors, type FormValues } from './forms';
import { html, type SafeHtml } from './html';
import { label } from './layout';

/** The CSP's own forms on the way to an application: registering the organisation, adding offerings, applying. */

export const CSP_LABELS: Record<string, string> = {
  name: 'Organisation name',
  registrationNumber: 'SECP registration number',
  contactName: 'Contact person',
  contactEmail: 'Contact email',
};

export function registrationForm(actor: Actor, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'csp', values, errors };
  return html`<h2>Register your organisation</h2>
    <p>Before applying, ${actor.organisationId ?? 'your organisation'} must be in the CSP register.</p>
    ${errorSummary('csp', errors)}
    <form class="stack" method="post" action="/ui/accreditations/csp" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'name', label: CSP_LABELS.name as string, required: true })}
      ${textField({ ...common, name: 'registrationNumber', label: CSP_LABELS.registrationNumber as string, required: true })}
      ${textField({ ...common, name: 'contactName', label: CSP_LABELS.contactName as string, required: true })}
      ${textField({ ...common, name: 'contactEmail', label: CSP_LABELS.contactEmail as string, required: true, autocomplete: 'email' })}
      <div><button type="submit">Register organisation</button></div>
    </form>`;
}

export const OFFERING_LABELS: Record<string, string> = {
  offeringId: 'Offering id',
  name: 'Offering name',
  serviceModels: 'Service models',
  deploymentModel: 'Deployment model',
  dataCentres: 'Data centres',
};

export function offeringForm(csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'offering', values, errors };
  return html`<h2>Add an offering</h2>
    ${errorSummary('offering', errors)}
    <form class="stack" method="post" action="/ui/accreditations/offerings" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'offeringId', label: 'Offering id', hint: 'Letters, digits, dots, dashes; e.g. off-gov.', required: true })}
      ${textField({ ...common, name: 'name', label: 'Offering name', required: true })}
      ${textField({ ...common, name: 'serviceModels', label: 'Service models', hint: 'Comma-separated: IaaS, PaaS, SaaS.', required: true })}
      ${selectField({ ...common, name: 'deploymentModel', label: 'Deployment model', required: true, empty: 'Choose…', options: DEPLOYMENT_MODELS.map((d) => [d, label(d)] as const) })}
      ${textArea({ ...common, name: 'dataCentres', label: 'Data centres', hint: 'One per line, as city and country code: Islamabad, PK.', required: true })}
      <div><button type="submit">Add offering</button></div>
    </form>`;
}

export const APPLY_LABELS: Record<string, string> = { offeringId: 'Offering', requestedBaseline: 'Requested baseline', evidence: 'Evidence' };

export function applyForm(csp: CspView, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'apply', values, errors };
  const offerings = csp.state.status === 'registered' ? Object.values(csp.state.offerings).filter((o) => o.status === 'active') : [];
  if (offerings.length === 0) return html`<h2>Apply for accreditation</h2><p>Add an offering first; then you can apply to have it accredited.</p>`;
  return html`<h2>Apply for accreditation</h2>
    <p>The application is assessed against the current benchmark framework: a reviewer screens and scores it, a
      security reviewer reviews it, and a director decides.</p>
    ${errorSummary('apply', errors)}
    <form class="stack" method="post" action="/ui/accreditations" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${selectField({ ...common, name: 'offeringId', label: 'Offering', required: true, empty: 'Choose…', options: offerings.map((o) => [o.offeringId, `${o.name} (${o.offeringId})`] as const) })}
      ${selectField({ ...common, name: 'requestedBaseline', label: 'Requested baseline', required: true, empty: 'Choose…', options: BASELINES.map((b) => [b, label(b)] as const) })}
      ${textArea({
        ...common,
        name: 'evidence',
        label: 'Evidence',
        hint: `One per line, as kind: reference. Kinds: ${EVIDENCE_KINDS.join(', ')}.`,
        required: true,
      })}
      <div><button type="submit">Submit application</button></div>
    </form>`;
}

export function dataCentresOf(text: string | undefined): { city: string; country: string }[] {
  return lines(text).map((line) => {
    const comma = line.lastIndexOf(',');
    return comma < 0 ? { city: line, country: '' } : { city: line.slice(0, comma).trim(), country: line.slice(comma + 1).trim() };
  });
}
