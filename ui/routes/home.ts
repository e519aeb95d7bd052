import { html, type SafeHtml } from '../html';
import { page } from '../layout';

/** The public home page: what this site is, what of it is public, and where staff sign in. */
export function homeRoute(): SafeHtml {
  return page({
    title: 'Home',
    csrf: '',
    current: 'home',
    main: html`<h1>Cloud Office</h1>
      <p>The Cloud Office keeps the record of cloud service accreditation, compliance and NOCs (time-limited
        exemptions from the cloud-first policy) for public service entities.</p>
      <h2>What is public</h2>
      <ul>
        <li><a href="/accredited-list">The accredited list</a>: every accredited cloud offering, also as CSV.</li>
        <li><a href="/accredited-list/changes">Changes to the accredited list</a>: grants, renewals, suspensions, revocations, with reasons;
          also as an <a href="/accredited-list/changes.atom">Atom feed</a> to subscribe to.</li>
        <li><a href="/procurement-check">The procurement check</a>: may an entity put a class of data on an offering?</li>
        <li><a href="/frameworks">The benchmark framework</a>: the version in force, its criteria, and every past version with what it changed.</li>
        <li><a href="/adoption">Cloud adoption</a>: workloads on accredited clouds and NOCs, by jurisdiction and ministry.</li>
      </ul>
      <p>NOCs are internal to the office and the entity that requested them; they are not published here.
        The machine-readable description of the office's API is public:
        <a href="/openapi.json">the OpenAPI document</a>.</p>
      <h2>Staff, reviewers and public service entities</h2>
      <p><a class="button" href="/ui/login">Sign in</a> to see your queue, request a NOC or review one.</p>`,
  });
}
