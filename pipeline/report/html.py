"""Self-contained HTML report: inline CSS and SVG, no scripts or CDN, so it opens offline."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

_PAGE = _ENV.from_string(
    """<!doctype html>
<html lang="zh-Hant"><head><meta charset="utf-8">
<title>twcorpus report {{ r.run_id }}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK TC",sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{fill:#3b7dd8}.drop{fill:#d8663b}svg text{font-size:12px}
</style></head><body>
<h1>twcorpus provenance report</h1>
<p>Run <code>{{ r.run_id }}</code> &middot; twcorpus {{ r.pipeline_version }} &middot; {{ r.created_at }}<br>
Config <code>{{ r.config }}</code> ({{ r.config_digest }}) &rarr; <code>{{ r.output_dir }}</code></p>
{% for why in r.refused %}<p id="refused" style="color:#b00"><strong>Not published:</strong> {{ why }}</p>{% endfor %}
{% if r.diff and r.diff.licence_changed %}<div id="licence-changes" style="color:#b00">
<p><strong>Licences changed since the previous release</strong> (each dataset gated again under its new
licence):</p><ul>
{% for c in r.diff.licence_changed %}<li>{{ c.dataset_title or "" }} ({{ c.dataset }}, {{ c.agency or "" }}):
{{ c.description }}</li>
{% endfor %}</ul></div>{% endif %}
{% if r.removals %}<p id="removals">Removal requests applied: {% for x in r.removals %}{{ x.request }}.
{{ x.reason }} ({{ x.matches }}, {{ x.documents }} documents){% if not loop.last %}; {% endif %}{% endfor %}.</p>
{% endif %}

<h2>Funnel</h2>
<svg id="funnel" width="720" height="{{ 30 * (funnel|length) + 10 }}" role="img" aria-label="records funnel">
{% for label, value, cls in funnel %}
<rect class="{{ cls }}" x="220" y="{{ 30 * loop.index0 + 5 }}" height="22"
 width="{{ (400 * value / fmax) | round(1) if fmax else 0 }}"></rect>
<text x="0" y="{{ 30 * loop.index0 + 20 }}">{{ label }}</text>
<text x="{{ 225 + ((400 * value / fmax) | round(1) if fmax else 0) }}"
 y="{{ 30 * loop.index0 + 20 }}">{{ value }}</text>
{% endfor %}
</svg>
<table><tr><th>records read</th><td class="n">{{ t.records_read }}</td></tr>
<tr><th>published</th><td class="n">{{ t.published }}</td></tr>
{% if r.restricted %}<tr><th>restricted release</th><td class="n">{{ t.published_restricted }} in
<code>{{ r.restricted.output_dir }}</code></td></tr>{% endif %}
<tr><th>rejected</th><td class="n">{{ t.rejected }}</td></tr>
<tr><th>characters published</th><td class="n">{{ t.chars }}</td></tr>
<tr><th>tokens published</th><td class="n">{{ t.tokens }}</td></tr>
{% if r.target.tokens %}<tr><th>target</th>
<td class="n">{{ r.target.tokens }} ({{ "%.4f%%" % (100 * r.target.fraction) }})</td></tr>{% endif %}
</table>

{% macro bars(id, label, rows) -%}
{%- set m = rows | map(attribute=1) | max if rows else 0 -%}
<svg id="{{ id }}" width="720" height="{{ 26 * (rows|length) + 10 }}" role="img" aria-label="{{ label }}">
{% for name, value in rows %}
<rect class="bar" x="260" y="{{ 26 * loop.index0 + 5 }}" height="18"
 width="{{ (360 * value / m) | round(1) if m else 0 }}"></rect>
<text x="0" y="{{ 26 * loop.index0 + 18 }}">{{ name | truncate(34, True, "…") }}</text>
<text x="{{ 265 + ((360 * value / m) | round(1) if m else 0) }}" y="{{ 26 * loop.index0 + 18 }}">
{{- "{:,}".format(value) }}</text>
{% endfor %}</svg>
{%- endmacro %}
<h2>Tokens by agency</h2>
{{ bars("tokens-by-agency", "published tokens by agency", token_agencies) }}

<h2>Agency contributions over time</h2>
{% set at = r.agency_trend %}{% if not at or not at.releases %}<p>No release recorded yet.</p>
{% else %}{% set tmax = at.series | map(attribute="tokens") | map("max") | max if at.series else 0 %}
{% set n = at.releases | length %}
<svg id="agency-trend" width="720" height="{{ 256 + 18 * (at.series | length) }}" role="img"
 aria-label="published tokens per agency, release by release">
{% set colours = ["#3b7dd8", "#d8663b", "#3bd87a", "#a23bd8", "#d8c83b", "#3bc8d8", "#d83b8f", "#777"] %}
{% for s in at.series %}{% set colour = colours[loop.index0] %}
<polyline fill="none" stroke="{{ colour }}" stroke-width="2" points="
{%- for v in s.tokens %}{{ (60 + (600 * loop.index0 / (n - 1) if n > 1 else 300)) | round(1) }},
{{- (210 - (190 * v / tmax if tmax else 0)) | round(1) }} {% endfor %}"></polyline>
<text x="60" y="{{ 256 + 18 * loop.index0 }}" fill="{{ colour }}">{{ s.agency }}</text>
{% endfor %}
{% for rel in at.releases %}<text x="{{ (60 + (600 * loop.index0 / (n - 1) if n > 1 else 300)) | round(1) }}"
 y="225" text-anchor="middle">{{ rel.date }}</text>{% endfor %}
<text x="0" y="20">{{ "{:,}".format(tmax) }} tokens</text>
</svg>
<table id="agency-ranking"><tr><th>rank</th><th>agency</th><th>documents</th><th>tokens</th>
<th>rank in the release before</th><th>tokens before</th></tr>
{% for a in at.ranking %}<tr><td class="n">{{ a.rank }}</td><td>{{ a.agency }}</td>
<td class="n">{{ "{:,}".format(a.documents) }}</td><td class="n">{{ "{:,}".format(a.tokens) }}</td>
<td class="n">{{ a.rank_before if a.rank_before is not none else "new" }}</td>
<td class="n">{{ "{:,}".format(a.tokens_before) if a.tokens_before is not none else "" }}</td></tr>
{% endfor %}</table>{% endif %}

<h2>Licences</h2>
{{ bars("tokens-by-licence", "published tokens by licence", token_licences) }}
<table><tr><th>licence</th><th>class</th><th>policy this run</th><th>read</th><th>published</th><th>tokens</th>
<th>rejected</th></tr>
{% for l in r.licenses %}<tr><td>{{ l.license }}<br>{{ l.name }}</td><td>{{ l.license_class }}</td>
<td>{{ l.policy }}</td>
<td class="n">{{ l.records_read }}</td><td class="n">{{ l.published }}</td><td class="n">{{ l.tokens }}</td>
<td>{% for k, v in l.rejected.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td></tr>
{% endfor %}</table>

<h2>Changes since the previous release</h2>
{% set d = r.diff %}{% if not d %}<p>Not recorded.</p>
{% elif d.previous_run_id is none %}<p>First release: {{ d.added | length }} datasets,
 {{ "{:,}".format(d.tokens_delta) }} tokens.</p>
{% else %}<p id="diff">Against release <code>{{ d.previous_run_id }}</code>: {{ d.added | length }} datasets added,
{{ d.removed | length }} removed, {{ d.changed | length }} changed; documents {{ "{:+,}".format(d.documents_delta) }},
tokens {{ "{:+,}".format(d.tokens_delta) }}.</p>
{% if d.added or d.removed or d.changed %}<table><tr><th>change</th><th>dataset</th><th>agency</th><th>documents</th>
<th>tokens</th></tr>
{% for x in d.added %}<tr><td>added</td><td>{{ x.dataset_title or "" }} ({{ x.dataset }})</td>
<td>{{ x.agency or "" }}</td>
<td class="n">{{ x.documents }}</td><td class="n">{{ x.tokens }}</td></tr>{% endfor %}
{% for x in d.removed %}<tr><td>removed</td><td>{{ x.dataset_title or "" }} ({{ x.dataset }})</td>
<td>{{ x.agency or "" }}</td>
<td class="n">{{ x.documents }}</td><td class="n">{{ x.tokens }}</td></tr>{% endfor %}
{% for x in d.changed %}<tr><td>changed{% if x.content_changed %} (content){% endif %}</td>
<td>{{ x.dataset_title or "" }} ({{ x.dataset }})</td><td>{{ x.agency or "" }}</td>
<td class="n">{{ x.documents_before }} &rarr; {{ x.documents }}</td>
<td class="n">{{ x.tokens_before }} &rarr; {{ x.tokens }}</td></tr>
{% endfor %}</table>{% endif %}{% endif %}

<h2>By agency</h2>
<table><tr><th>agency</th><th>resources</th><th>read</th><th>published</th><th>rejected</th><th>tokens</th>
<th>converted (docs / chars)</th><th>redactions</th></tr>
{% for a in r.agencies %}<tr><td>{{ a.agency or "(not stated)" }}</td><td class="n">{{ a.resources }}</td>
<td class="n">{{ a.records_read }}</td><td class="n">{{ a.published }}</td>
<td>{% for k, v in a.rejected.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td><td class="n">{{ a.tokens }}</td>
<td class="n">{{ a.converted_docs }} / {{ a.converted_chars }}</td>
<td>{% for k, v in a.pii.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td></tr>
{% endfor %}</table>

<h2>By issuing agency</h2>
<p>The agency each published document names (a gazette notice names the ministry that issued it; the
tables above count by the agency that provides the dataset).</p>
<table><tr><th>agency</th><th>documents</th><th>tokens</th><th>characters</th></tr>
{% for a in r.document_agencies %}<tr><td>{{ a.agency or "(not stated)" }}</td><td class="n">{{ a.documents }}</td>
<td class="n">{{ a.tokens }}</td><td class="n">{{ a.chars }}</td></tr>
{% endfor %}</table>

<h2>By dataset</h2>
<table><tr><th>dataset</th><th>agency</th><th>licence</th><th>decoders</th><th>read</th><th>published</th>
<th>rejected</th><th>tokens</th><th>converted (docs / chars)</th><th>redactions</th><th>duplicates removed</th>
<th>cross-agency duplicate clusters</th></tr>
{% for d in r.datasets %}<tr><td>{{ d.dataset_title or "" }} ({{ d.dataset_id }})</td><td>{{ d.agency or "" }}</td>
<td>{{ d.license }}</td><td>{% for k, v in d.decoders.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td>
<td class="n">{{ d.records_read }}</td><td class="n">{{ d.published }}</td>
<td>{% for k, v in d.rejected.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td><td class="n">{{ d.tokens }}</td>
<td class="n">{{ d.converted_docs }} / {{ d.converted_chars }}</td>
<td>{% for k, v in d.pii.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td><td class="n">{{ d.duplicates_removed }}</td>
<td class="n">{{ d.cross_agency_clusters }}</td></tr>
{% endfor %}</table>

{% if r.dedup %}<h2>Near-duplicate detection</h2>
<p>MinHash {{ r.dedup.num_perm }} permutations ({{ r.dedup.scheme }}), character {{ r.dedup.ngram }}-grams,
{{ r.dedup.bands }} bands &times; {{ r.dedup.rows }} rows; candidates verified at Jaccard &ge; {{ r.dedup.threshold }}
with equal title lines (checked exactly when the MinHash estimate is within {{ r.dedup.verify_margin }} of it).
{%- set st = r.dedup.stats %}{% if st %}
{{ st.candidate_pairs }} candidate pairs, {{ st.checked_exactly }} checked exactly.
{%- if st.rejected_in_clusters %} {{ st.rejected_in_clusters }} documents a record rule rejected (quality, length)
are copies of others: rejected/ names their cluster in dup_cluster.{% endif %}
{%- if r.dedup.against %} Deduplicated against {{ r.dedup.against | join(", ") }}: {{ st.published_matches }} published
documents shared a bucket or key, {{ st.removed_as_published_copies }} copies of them removed.{% endif %}{% endif %}</p>
<svg id="s-curve" width="420" height="260" role="img" aria-label="LSH S-curve">
<line x1="40" y1="220" x2="400" y2="220" stroke="#444"></line>
<line x1="40" y1="20" x2="40" y2="220" stroke="#444"></line>
<polyline fill="none" stroke="#3b7dd8" stroke-width="2" points="
{%- for s, p in r.dedup.s_curve %}{{ 40 + 360 * s }},{{ 220 - 200 * p }} {% endfor %}"></polyline>
<line x1="{{ 40 + 360 * r.dedup.threshold }}" y1="20" x2="{{ 40 + 360 * r.dedup.threshold }}" y2="220"
 stroke="#d8663b" stroke-dasharray="4"></line>
<text x="180" y="250">Jaccard similarity</text><text x="0" y="15">P(candidate)</text>
<text x="36" y="236">0</text><text x="392" y="236">1</text>
</svg>{% endif %}

<h2>Duplicate clusters to review</h2>
{% if r.duplicate_audit %}<p>The largest clusters, those spanning agencies, and the near-duplicate merges closest
to the thresholds: each member against the representative that was kept.</p>
{% for c in r.duplicate_audit %}<h3>{{ c.kind }}: {{ c.title }} ({{ c.size }} documents)</h3>
<p>kept <code>{{ c.representative }}</code> ({{ c.representative_agency or "" }})</p>
<table class="audit"><tr><th>member</th><th>agency</th><th>Jaccard</th><th>containment</th>
<th>only in the member</th><th>only in the kept one</th></tr>
{% for m in c.members %}<tr><td><code>{{ m.id }}</code>{% if m.exact %} (exact){% endif %}</td>
<td>{{ m.agency or "" }}</td>
<td class="n">{{ m.jaccard }}</td><td class="n">{{ m.containment }}</td>
<td>{% for ln in m.only_in_member %}{{ ln }}<br>{% endfor %}</td>
<td>{% for ln in m.only_in_representative %}{{ ln }}<br>{% endfor %}</td></tr>
{% endfor %}</table>{% endfor %}{% else %}<p>No duplicates in this release.</p>{% endif %}

<h2>Script conversion audit</h2>
{% if r.conversion_samples %}<table><tr><th>dataset</th><th>before</th><th>after</th></tr>
{% for x in r.conversion_samples %}<tr><td>{{ x.dataset_id }}</td><td>{{ x.before }}</td><td>{{ x.after }}</td></tr>
{% endfor %}</table>{% else %}<p>No document needed conversion.</p>{% endif %}

<h2>Steps</h2>
<p>Resources extracted by this run: {{ t.resources_extracted }} of {{ t.resources }} (the rest reused from earlier
runs: their steps were counted when they ran). Publish decides from the stored attributes, in this order.</p>
<table id="steps"><tr><th>stage</th><th>step</th><th>documents in</th><th>documents out</th><th>CPU s</th></tr>
{% for s in r.steps %}<tr><td>{{ s.stage }}</td><td>{{ s.step }}</td><td class="n">{{ "{:,}".format(s.docs_in) }}</td>
<td class="n">{{ "{:,}".format(s.docs_out) }}</td><td class="n">{{ "%.2f" % s.cpu_s }}</td></tr>
{% endfor %}</table>

<h2>Resources</h2>
<table><tr><th>dataset</th><th>agency</th><th>resource</th><th>licence</th><th>decoder</th><th>read</th>
<th>published</th><th>rejected by reason</th></tr>
{% for x in r.resources %}<tr><td>{{ x.dataset_title or "" }} ({{ x.dataset_id }})</td><td>{{ x.agency or "" }}</td>
<td><code>{{ x.resource_url }}</code></td><td>{{ x.license }}</td><td>{{ x.decoder or "-" }}</td>
<td class="n">{{ x.records_read }}</td><td class="n">{{ x.published }}</td>
<td>{% for k, v in x.rejected.items() %}{{ k }}: {{ v }}<br>{% endfor %}</td></tr>
{% endfor %}</table>
</body></html>
"""
)


def render_html(report: dict[str, Any]) -> str:
    t = report["totals"]
    funnel = [("records read", t["records_read"], "bar")]
    funnel += [(f"− {reason}", n, "drop") for reason, n in t["rejected_by_reason"].items()]
    funnel.append(("published", t["published"], "bar"))
    if t.get("published_restricted"):
        funnel.append(("restricted release", t["published_restricted"], "bar"))
    fmax = max((v for _, v, _ in funnel), default=0)
    token_agencies = sorted(
        ((a["agency"] or "(not stated)", a["tokens"]) for a in report["agencies"]), key=lambda x: -x[1]
    )
    token_licences = [(lic["license"], lic["tokens"]) for lic in report.get("licenses", []) if lic["tokens"]]
    return _PAGE.render(
        r=report, t=t, funnel=funnel, fmax=fmax, token_agencies=token_agencies, token_licences=token_licences
    )
