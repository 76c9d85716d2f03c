"""Offline HTML: an executed notebook to one self-contained page that makes no network request.

Used by both commands of :mod:`kit.handout.build` (``handout`` and ``export``). plotly.js's *basic*
partial bundle (scatter, bar, pie; ~1.2 MB, vendored in ``kit/data/vendor``) is inlined once per
page and every chart is drawn from its JSON by a small inline script (:func:`plotly_div`); the
nbconvert template drops require.js, MathJax, mermaid and the CDN widget manager; widget state
is rendered as static HTML (:func:`render_widget`); any remaining remote reference (a
student's web image) is neutralised and reported (:func:`remote_references`). The page and
print stylesheets live here too.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import nh3

from kit.resources import PACKAGE_DATA
from kit.views.recorded import esc
from kit.words import TIER_COLORS, tier_css

__all__ = [
    "PLOTLY_JS", "PLOTLY_MIME", "esc", "plotly_div", "remote_references", "render_widget", "notebook_to_html",
    "sanitize_html", "SANITISER_TAGS", "SANITISER_ATTRIBUTES", "LINK_SCHEMES", "STYLE_PROPERTIES",
]

#: plotly.js basic partial bundle (npm ``plotly.js-basic-dist-min``), inlined once per page.
PLOTLY_JS = PACKAGE_DATA / "vendor" / "plotly-basic.min.js"
#: The mimetype of a plotly figure's JSON in a notebook output.
PLOTLY_MIME = "application/vnd.plotly.v1+json"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


#: The page and print stylesheet; the tier colours come from :mod:`kit.words` (:func:`~kit.words.tier_css` for the
#: tier boxes, the emergency / urgent colours for the "get help now / today" boxes): one source of truth.
_PAGE_CSS = """
:root { --kit-ink: #1d2327; --kit-muted: #5f6b73; --kit-line: #d9dee2; --kit-accent: #0b5e8e; }
html { background: #eef1f3; }
body.kit-page { margin: 0; padding: 24px 12px; color: var(--kit-ink); background: #eef1f3;
  font: 15px/1.5 "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif; }
body.kit-page main { max-width: 680px; margin: 0 auto; background: #fff; padding: 28px 32px;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.kit-page .jp-Cell, .kit-page .jp-OutputArea, .kit-page .jp-OutputArea-child, .kit-page .jp-OutputArea-output
  { margin: 0; padding: 0; border: 0; overflow: visible; }
.kit-page .jp-OutputPrompt, .kit-page .jp-InputPrompt, .kit-page .jp-Collapser, .kit-page .jp-InputArea { display: none; }
.kit-page h1 { font-size: 1.6em; line-height: 1.2; margin: .1em 0 .3em; }
.kit-page h2 { font-size: 1.2em; margin: 1.3em 0 .4em; padding-bottom: .2em; border-bottom: 2px solid var(--kit-line);
  color: var(--kit-accent); }
.kit-page h3 { font-size: 1em; margin: .9em 0 .3em; }
.kit-page ul, .kit-page ol { padding-left: 1.3em; margin: .3em 0; }
.kit-page li { margin: .15em 0; }
.kit-kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .75em; color: var(--kit-muted); margin: 0; }
.kit-who { margin: 0 0 .8em; color: var(--kit-muted); }
.kit-athlete { color: var(--kit-ink); font-weight: 600; }
.kit-muted, .kit-src { color: var(--kit-muted); font-size: .9em; }
.kit-example { background: #fff8e1; padding: .3em .6em; border-radius: 4px; font-size: .9em; }
.kit-tier { border-left: 10px solid #888; background: #f5f5f5; padding: .6em 1em; border-radius: 4px; margin: .6em 0; }
.kit-tier p { margin: .2em 0; }
.kit-tier-title { font-size: 1.25em; font-weight: 700; }
""" + tier_css() + """table.kit-facts { border-collapse: collapse; width: 100%; font-size: .95em; }
table.kit-facts th { text-align: left; vertical-align: top; width: 28%; padding: .3em .6em .3em 0; color: var(--kit-muted);
  font-weight: 600; }
table.kit-facts td { padding: .3em 0; border-bottom: 1px solid var(--kit-line); }
table.kit-facts th { border-bottom: 1px solid var(--kit-line); }
.kit-note { white-space: pre-wrap; font-style: italic; overflow-wrap: anywhere; }
ol.kit-causes { list-style: none; padding: 0; }
.kit-cause { margin: .5em 0; }
.kit-cause-head { display: flex; align-items: center; gap: .6em; }
.kit-cause-name { flex: 0 0 55%; font-weight: 600; }
.kit-bar { flex: 1; height: .7em; background: #eceff1; border-radius: 3px; overflow: hidden; }
.kit-bar span { display: block; height: 100%; background: var(--kit-accent); }
.kit-score { width: 2.2em; text-align: right; font-variant-numeric: tabular-nums; }
ul.kit-evidence { font-size: .9em; margin-top: .1em; }
.kit-two { display: grid; grid-template-columns: 1fr 1.4fr; gap: 1.2em; }
.kit-tip { background: #e3f2fd; padding: .4em .7em; border-radius: 4px; }
.kit-help { border: 1px solid var(--kit-line); border-radius: 4px; padding: .2em .8em .5em; margin: .5em 0; }
.kit-help-now { border-color: """ + TIER_COLORS["emergency"] + """; background: #fff5f5; }
.kit-help-today { border-color: """ + TIER_COLORS["urgent"] + """; background: #fff8f3; }
.kit-clinicians summary { cursor: pointer; } .kit-clinicians summary h2 { display: inline; }
.kit-clinicians code { overflow-wrap: anywhere; word-break: break-word; }
.kit-recheck { font-weight: 600; }
ol.kit-refs { font-size: .85em; }
.kit-footer { margin-top: 1.5em; border-top: 2px solid var(--kit-line); padding-top: .6em; font-size: .9em; }
.kit-disclaimer { background: #f5f5f5; padding: .5em .8em; border-radius: 4px; }
.kit-chart { width: 100%; margin: .4em 0 .8em; break-inside: avoid; page-break-inside: avoid; }
.kit-chart .plotly-graph-div { width: 100%; }
@media (max-width: 560px) { .kit-two { grid-template-columns: 1fr; } body.kit-page main { padding: 16px; } }
@page { size: auto; margin: 14mm 12mm; }
@media print {
  html, body.kit-page { background: #fff; padding: 0; font-size: 9.5pt; }
  body.kit-page main { box-shadow: none; padding: 0; max-width: 100%; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .kit-help, .kit-tier, .kit-cause, table.kit-facts tr, .kit-page li, .kit-tip { break-inside: avoid; page-break-inside: avoid; }
  .kit-page h2, .kit-page h3 { break-after: avoid; page-break-after: avoid; }
  .kit-page h2 { margin-top: .9em; }
  ol.kit-refs { font-size: 7.5pt; columns: 2; column-gap: 1.5em; }
  ul.kit-evidence, .kit-muted, .kit-src { font-size: 8pt; }
  .kit-helps { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; }
  .kit-help { margin: 0; }
  .kit-chart, .kit-chart .js-plotly-plot, .kit-chart .plot-container, .kit-chart .svg-container { max-width: 100% !important; }
  .kit-chart svg { max-width: 100%; height: auto; }
}
"""

_EXPORT_CSS = """
.kit-chart { width: 100%; max-width: 100%; break-inside: avoid; page-break-inside: avoid; }
.kit-widget { font: 13px/1.4 system-ui, sans-serif; margin: 2px 0; }
.kit-widget-row { display: flex; align-items: center; gap: 8px; margin: 3px 0; flex-wrap: wrap; }
.kit-widget-desc { min-width: 8em; color: #333; }
.kit-widget-box { display: flex; flex-direction: column; gap: 2px; }
.kit-widget-hbox { flex-direction: row; flex-wrap: wrap; gap: 8px; }
.kit-widget-tab > .kit-widget-title { font-weight: 600; border-bottom: 1px solid #ccc; margin-top: 6px; }
.kit-widget-missing { color: #8a6d3b; font-style: italic; }
.kit-widget input[disabled], .kit-widget select[disabled], .kit-widget textarea[readonly] { color: #111; opacity: 1; }
.kit-offline-removed { color: #8a6d3b; font-style: italic; }
.kit-widget .kit-widget-html a, .kit-widget .kit-widget-html a:link { text-decoration: underline; }
.jp-Notebook .highlight :is(.c, .c1, .ch, .cm, .cpf, .cs) { color: #3b6363; }
main { max-width: 1000px; margin: 0 auto; }
@page { size: auto; margin: 12mm; }
@media print {
  main { max-width: 100%; }
  .jp-Cell { break-inside: avoid; page-break-inside: avoid; }
  .kit-chart .js-plotly-plot, .kit-chart .plot-container, .kit-chart .svg-container { max-width: 100% !important; }
  .kit-chart svg { max-width: 100%; height: auto; }
}
"""

_NB_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block notebook_css %}{% if resources.kit_lab_css %}{{ super() }}{% endif %}{% endblock notebook_css %}
{%- block html_head_css -%}
<meta name="generator" content="postrun-kit">
<style type="text/css">{{ resources.kit_css }}</style>
{{ resources.kit_head_js }}
{%- endblock html_head_css -%}
{% block data_html scoped -%}
{%- if resources.kit_trusted and output.metadata.get('kit_trusted') == resources.kit_trusted -%}
<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output {{ extra_class }}" data-mime-type="text/html">
{{ output.data['text/html'] }}
</div>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_html %}
{%- block body_header -%}
<body class="jp-Notebook {{ resources.kit_body_class }}" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<main>
{%- endblock body_header -%}
"""


def _json_for_script(obj: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>`` or ``<!--`` can appear)."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Charts:
    """Numbers the chart divs of one page (deterministic ids, so the same input gives the same file)."""

    def __init__(self) -> None:
        self.n = 0

    def next_id(self) -> str:
        self.n += 1
        return f"kit-chart-{self.n}"


def plotly_div(spec: Mapping[str, Any], chart_id: str) -> str:
    """HTML that draws one plotly figure from its JSON with the page's inlined plotly.js.

    Parameters
    ----------
    spec : mapping
        Plotly's JSON (``data``, ``layout``, optional ``config``), as in the
        ``application/vnd.plotly.v1+json`` mimetype.
    chart_id : str
        Unique element id within the page.
    """
    data = spec.get("data", [])
    layout = dict(spec.get("layout", {}) or {})
    layout.pop("width", None)  # follow the page width (fits A4/Letter when printed)
    layout["autosize"] = True
    height = layout.get("height") or 360
    config = {"displaylogo": False, "responsive": True, **dict(spec.get("config", {}) or {})}
    config.pop("plotlyServerURL", None)
    config["showLink"] = False
    payload = _json_for_script({"data": data, "layout": layout, "config": config})
    cid = esc(chart_id)
    return (f'<div class="kit-chart"><div id="{cid}" class="plotly-graph-div" style="height:{int(height)}px;width:100%">'
            f"</div><script type=\"text/javascript\">(function(){{var s={payload};"
            f"if(window.Plotly){{window.Plotly.newPlot(\"{cid}\",s.data,s.layout,s.config);}}"
            f"else{{document.getElementById(\"{cid}\").textContent=\"(chart: plotly.js missing)\";}}}})();</script></div>")


def _newplot_spec(markup: str) -> dict[str, Any] | None:
    """Recover the figure JSON from plotly's own HTML output (``Plotly.newPlot("id", data, layout, config)``)."""
    i = markup.find("Plotly.newPlot(")
    if i < 0:
        return None
    dec = json.JSONDecoder()
    pos = i + len("Plotly.newPlot(")
    parts = []
    try:
        for _ in range(4):
            while markup[pos] in " \t\r\n,":
                pos += 1
            val, pos = dec.raw_decode(markup, pos)
            parts.append(val)
    except (ValueError, IndexError):
        if len(parts) < 3:
            return None
    return {"data": parts[1], "layout": parts[2], "config": parts[3] if len(parts) > 3 else {}}


_REMOTE_ATTR = re.compile(
    r"(<(?:script|img|iframe|link|source|video|audio|embed|object|track|input|image|use)\b[^>]*?\s)"
    r"(src|href|xlink:href|data|poster|srcset)(\s*=\s*[\"']?\s*)((?:https?:)?//)", re.IGNORECASE)
_REMOTE_CSS = re.compile(r"(@import\s+(?:url\()?\s*[\"']?|url\(\s*[\"']?)((?:https?:)?//)", re.IGNORECASE)


def remote_references(markup: str) -> list[str]:
    """Attributes and CSS ``url()``s that would make the browser fetch from the network (empty when offline-safe).

    Links (``<a href>``) are not counted: they load only when clicked.
    """
    found = [m.group(0)[-120:] for m in _REMOTE_ATTR.finditer(markup)]
    found += [m.group(0) for m in _REMOTE_CSS.finditer(markup)]
    return found


def _neutralise_remote(markup: str) -> tuple[str, int]:
    n = 0

    def attr(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"{m.group(1)}data-offline-{m.group(2).replace(':', '-')}{m.group(3)}{m.group(4)}"

    def css(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"{m.group(1)}about:blank#"

    markup = _REMOTE_ATTR.sub(attr, markup)
    markup = _REMOTE_CSS.sub(css, markup)
    return markup, n


#: Tags a sanitised fragment may keep (nh3's defaults plus a few structural ones; no script, style,
#: iframe, object, embed, form, input, meta, link, base, svg or math).
SANITISER_TAGS = frozenset(nh3.ALLOWED_TAGS | {"section", "main", "article", "aside", "tfoot", "caption", "label",
                                               "output", "progress", "meter"})
#: Attributes on every tag; per-tag ones follow nh3's defaults (``href`` on ``a``, ``src`` on ``img`` ...).
SANITISER_ATTRIBUTES: dict[str, set[str]] = {
    **{k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "role", "lang", "dir", "style", "scope", "colspan", "rowspan"},
    "table": {"border"} | set(nh3.ALLOWED_ATTRIBUTES.get("table", ())),
    "details": {"open"},
    "progress": {"value", "max"}, "meter": {"value", "min", "max"},
}
#: URL schemes a link may use (plus links within the page, ``#...``); images may also be ``data:image/...``.
LINK_SCHEMES = ("http", "https", "mailto")
#: CSS properties an inline ``style`` may set (no ``url()``, no positioning over the page).
STYLE_PROPERTIES = frozenset({
    "width", "max-width", "min-width", "height", "text-align", "vertical-align", "color", "background-color",
    "font-weight", "font-style", "font-size", "text-decoration", "white-space", "border", "border-left",
    "border-color", "padding", "margin", "display"})
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)
_LINK = re.compile(r"(https?|mailto):", re.IGNORECASE)
_BAD_CSS = re.compile(r"url\(|expression\(|@import|\\|javascript:|behavior|-moz-binding", re.IGNORECASE)
#: Element ids a notebook may not take: the kit's chart slots and the names its scripts read.
_RESERVED_ID = re.compile(r"(kit-|plotly)", re.IGNORECASE)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    v = value.strip()
    if attr == "href":
        return v if v.startswith("#") or _LINK.match(v) else None
    if attr == "src":
        return v if _DATA_IMAGE.match(v) or re.match(r"https?:", v, re.IGNORECASE) else None
    if attr == "style":
        return None if _BAD_CSS.search(v) else v
    if attr == "id":
        return None if _RESERVED_ID.match(v) else v
    return value


def sanitize_html(markup: str) -> str:
    """The one sanitiser for HTML from a notebook or a person (allow-list, nh3).

    Every markdown cell, raw cell, HTML/markdown/SVG output and ``HTML`` widget of an exported
    notebook or a handout goes through it. What survives: the tags in :data:`SANITISER_TAGS`
    with the attributes in :data:`SANITISER_ATTRIBUTES`; links to ``http``, ``https``,
    ``mailto`` or ``#`` (within the page) only; images from ``data:image/...`` or the web (web
    images are then disabled by :func:`_neutralise_remote`); inline styles limited to
    :data:`STYLE_PROPERTIES` and never with ``url()``. ``script`` and ``style`` elements are
    removed with their content; event handlers (``on...``), ``javascript:``/``data:`` links,
    frames, forms, ``object``/``embed``, ``meta``/``link``/``base`` and SVG/MathML are removed.

    The kit's own chart markup (:func:`plotly_div`: the inlined plotly.js and one small script per
    chart, built from JSON that cannot close its element) is added after sanitising and is the
    only script on a page.
    """
    return nh3.clean(markup, tags=set(SANITISER_TAGS), clean_content_tags={"script", "style"},
                     attributes={k: set(v) for k, v in SANITISER_ATTRIBUTES.items()}, attribute_filter=_attribute_filter,
                     url_schemes={*LINK_SCHEMES, "data"}, filter_style_properties=set(STYLE_PROPERTIES),
                     strip_comments=True, link_rel="noopener noreferrer")


# --- widgets rendered statically ------------------------------------------------------------

def _model_ref(v: Any) -> str | None:
    return v[len("IPY_MODEL_"):] if isinstance(v, str) and v.startswith("IPY_MODEL_") else None


def _classes(state: Mapping[str, Any]) -> str:
    dom = state.get("_dom_classes") or []
    ok = [c for c in dom if isinstance(c, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", c)]
    return " ".join(ok)


def render_widget(model_id: str, models: Mapping[str, Any], charts: _Charts | None = None, *, _depth: int = 0) -> str:
    """Static HTML showing a widget's saved state (its last value), with no JavaScript.

    Parameters
    ----------
    model_id : str
        The widget model id (from a ``widget-view`` output or a parent's ``children``).
    models : mapping
        ``metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]``.
    charts : _Charts, optional
        Chart numbering (plotly figures inside ``Output`` widgets are drawn as charts).

    Returns
    -------
    str
        HTML; every value is escaped (an ``HTML`` widget's markup is sanitized). Controls are
        shown disabled with their value; containers keep their children's order; tabs and
        accordions show every page under its title. A model that is not in the saved state
        is shown as a short note.

    Notes
    -----
    Rendering statically rather than shipping ``@jupyter-widgets/html-manager`` keeps the
    page offline (the manager fetches third-party widget code from a CDN), small, printable
    and free of widget JavaScript; without a kernel the widgets could not react anyway.
    """
    charts = charts or _Charts()
    m = models.get(model_id)
    if m is None or _depth > 40:
        return '<div class="kit-widget kit-widget-missing">(widget not saved with the notebook)</div>'
    name = str(m.get("model_name", ""))
    s = m.get("state", {}) or {}
    layout = models.get(_model_ref(s.get("layout")) or "", {}).get("state", {}) or {}
    if layout.get("display") == "none" or layout.get("visibility") == "hidden":
        return ""
    cls = _classes(s)
    desc = s.get("description") or ""
    label = f'<span class="kit-widget-desc">{esc(desc)}</span>' if desc else ""
    base = name[:-5] if name.endswith("Model") else name

    def wrap(inner: str, extra: str = "") -> str:
        classes = " ".join(c for c in ("kit-widget", f"kit-widget-{esc(base)}", cls, extra) if c)
        return f'<div class="{classes}" data-widget="{esc(base)}">{inner}</div>'

    def row(inner: str) -> str:
        return wrap(f'<div class="kit-widget-row">{label}{inner}</div>')

    def child_html(ids: Iterable[Any] | None) -> list[str]:
        return [render_widget(r, models, charts, _depth=_depth + 1) for r in (_model_ref(c) for c in ids or []) if r]

    if base in ("VBox", "Box", "GridBox", "HBox"):
        kids = "".join(child_html(s.get("children")))
        return wrap(f'<div class="kit-widget-box{" kit-widget-hbox" if base == "HBox" else ""}">{kids}</div>')
    if base in ("Tab", "Accordion", "Stack"):
        titles = list(s.get("titles") or [])
        pages = child_html(s.get("children"))
        parts = []
        for i, k in enumerate(pages):
            t = titles[i] if i < len(titles) and titles[i] else f"Page {i + 1}"
            parts.append(f'<div class="kit-widget-title">{esc(t)}</div>{k}')
        return wrap("".join(parts), "kit-widget-tab")
    if base == "Output":
        return wrap(_outputs_html(s.get("outputs") or [], models, charts, _depth))
    if base in ("HTML", "HTMLMath"):
        return row(f'<div class="kit-widget-html">{sanitize_html(str(s.get("value") or ""))}</div>')
    if base == "Label":
        return row(f"<span>{esc(s.get('value'))}</span>")
    if base in ("Checkbox", "ToggleButton", "Valid"):
        checked = bool(s.get("value"))
        return row(f'<input type="checkbox" disabled{" checked" if checked else ""}> <span>{"yes" if checked else "no"}</span>')
    if base == "Button":
        return wrap(f"<button disabled>{esc(desc or 'button')}</button>")
    if "_options_labels" in s:
        opts = [str(o) for o in s.get("_options_labels") or []]
        idx = s.get("index")
        chosen = idx if isinstance(idx, list) else ([] if idx is None else [idx])
        if "Range" in base and isinstance(idx, list) and len(idx) == 2:
            text = " – ".join(opts[i] for i in idx if isinstance(i, int) and 0 <= i < len(opts))
            return row(f"<output>{esc(text)}</output>")
        options = "".join(
            f"<option{' selected' if i in chosen else ''}>{esc(o)}</option>" for i, o in enumerate(opts))
        multiple = " multiple" if isinstance(idx, list) else ""
        size = f' size="{min(len(opts), 6)}"' if multiple else ""
        shown = ", ".join(opts[i] for i in chosen if isinstance(i, int) and 0 <= i < len(opts)) or "(none)"
        return row(f"<select disabled{multiple}{size}>{options}</select> <output>{esc(shown)}</output>")
    if "Slider" in base or "Progress" in base:
        v = s.get("value")
        lo, hi, step = s.get("min", 0), s.get("max", 100), s.get("step", 1)
        if isinstance(v, list):
            return row(f"<output>{esc(' – '.join(str(x) for x in v))}</output>")
        tag = "progress" if "Progress" in base else "input"
        if tag == "progress":
            ctrl = f'<progress value="{esc(v)}" max="{esc(hi)}"></progress>'
        else:
            ctrl = (f'<input type="range" disabled min="{esc(lo)}" max="{esc(hi)}" step="{esc(step if step is not None else "any")}"'
                    f' value="{esc(v)}">')
        return row(f"{ctrl} <output>{esc(v)}</output>")
    if base in ("Textarea",):
        return row(f"<textarea readonly rows=\"3\">{esc(s.get('value'))}</textarea>")
    if "Text" in base or base in ("Password", "Combobox", "ColorPicker", "DatePicker", "TimePicker",
                                  "DatetimePicker", "Play", "TagsInput"):
        typed = "********" if base == "Password" else s.get("value")
        if isinstance(typed, (dict, list)):
            typed = json.dumps(typed, default=str)
        return row(f'<input type="text" readonly value="{esc("" if typed is None else typed)}">')
    if "_data" in s and "_layout" in s:  # plotly FigureWidget
        return wrap(plotly_div({"data": s.get("_data") or [], "layout": s.get("_layout") or {},
                                "config": s.get("_config") or {}}, charts.next_id()))
    if "children" in s:
        return wrap("".join(child_html(s.get("children"))))
    if "value" in s and not isinstance(s.get("value"), (dict, list)):
        return row(f"<output>{esc(s.get('value'))}</output>")
    return wrap(f'<span class="kit-widget-missing">({esc(base or "widget")}: not shown offline)</span>')


def _outputs_html(outputs: Sequence[Mapping[str, Any]], models: Mapping[str, Any], charts: _Charts, depth: int) -> str:
    parts = []
    for o in outputs:
        typ = o.get("output_type")
        if typ == "stream":
            parts.append(f'<pre class="kit-stream">{esc(o.get("text", ""))}</pre>')
            continue
        if typ == "error":
            parts.append(f'<pre class="kit-stream">{esc(o.get("ename", ""))}: {esc(o.get("evalue", ""))}</pre>')
            continue
        data = o.get("data", {}) or {}
        if PLOTLY_MIME in data:
            parts.append(plotly_div(data[PLOTLY_MIME], charts.next_id()))
        elif _WIDGET_VIEW in data:
            parts.append(render_widget(str(data[_WIDGET_VIEW].get("model_id", "")), models, charts, _depth=depth + 1))
        elif "text/html" in data:
            markup = _join(data["text/html"])
            spec = _newplot_spec(markup)
            parts.append(plotly_div(spec, charts.next_id()) if spec else sanitize_html(markup))
        elif "image/png" in data or "image/jpeg" in data:
            mime = "image/png" if "image/png" in data else "image/jpeg"
            parts.append(f'<img alt="output image" src="data:{mime};base64,{esc(_join(data[mime]).strip())}">')
        elif "image/svg+xml" in data:
            parts.append(_svg_img(_join(data["image/svg+xml"])))
        elif "text/plain" in data:
            parts.append(f"<pre>{esc(_join(data['text/plain']))}</pre>")
    return "".join(parts)


def _join(v: Any) -> str:
    return "".join(v) if isinstance(v, list) else str(v)


def _svg_img(svg: str) -> str:
    """An SVG output as an image (an ``<img>`` never runs the SVG's scripts or handlers)."""
    return f'<img alt="output image" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode("utf-8")).decode("ascii")}">'


#: Output mimetypes a page shows (HTML and markdown sanitised, images as images); others are dropped.
SHOWN_MIMES = ("text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml", "text/plain")


def _is_plotly_library(markup: str) -> bool:
    """plotly's ``notebook`` renderer output that only loads plotly.js (inline or from a CDN)."""
    return "Plotly.newPlot" not in markup and ("plotly.js" in markup or "cdn.plot.ly" in markup or "PlotlyConfig" in markup)


def _convert_outputs(nb: Any, *, handout: bool, trusted: str) -> int:
    """Make every output of a notebook offline-safe HTML; returns the number of charts.

    plotly figures (mimetype or plotly's own HTML) become :func:`plotly_div` and widget views
    :func:`render_widget`: the kit's own markup, marked with ``trusted`` (a random value per
    page, so a notebook cannot forge the mark) and shown as built. Every other output keeps
    only the mimetypes in :data:`SHOWN_MIMES` (JavaScript, mermaid and the like are dropped)
    and its HTML and markdown are sanitised by the template (:func:`sanitize_html`).
    Loaders of plotly.js are dropped. The saved widget state is removed from the metadata
    afterwards (nothing reads it any more).
    """
    from nbformat import from_dict  # lazy: see "Start-up" in kit.handout.build (nbformat 0.95 s, after the jsonschema step)

    charts = _Charts()
    state = ((nb.metadata.get("widgets") or {}).get(_WIDGET_STATE) or {}).get("state") or {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        new = []
        for out in cell.get("outputs", []):
            typ = out.get("output_type")
            if typ == "stream" and handout and out.get("name") == "stderr":
                continue  # warnings are for the developer, not the athlete
            if typ not in ("display_data", "execute_result"):
                new.append(out)
                continue
            data = dict(out.get("data", {}))
            markup = None
            if PLOTLY_MIME in data:
                markup = plotly_div(data[PLOTLY_MIME], charts.next_id())
            elif _WIDGET_VIEW in data:
                mid = str((data[_WIDGET_VIEW] or {}).get("model_id", ""))
                if mid in state:
                    markup = render_widget(mid, state, charts)
                else:
                    txt = _join(data.get("text/plain", "widget"))
                    markup = (f'<div class="kit-widget kit-widget-missing">(widget state was not saved: {esc(txt)}; save '
                              "the notebook with widget state, or export with --execute)</div>")
            elif "text/html" in data:
                h = _join(data["text/html"])
                spec = _newplot_spec(h)
                if spec is not None:
                    markup = plotly_div(spec, charts.next_id())
                elif _is_plotly_library(h):
                    continue
            if markup is not None:
                out = from_dict({**out, "data": {"text/html": markup}, "metadata": {"kit_trusted": trusted}})  # type: ignore[no-untyped-call]  # nbformat is not annotated
            else:
                data = {k: v for k, v in data.items() if k in SHOWN_MIMES}
                if not data:
                    continue
                out = from_dict({**out, "data": data, "metadata": {}})  # type: ignore[no-untyped-call]  # nbformat is not annotated
            new.append(out)
        cell["outputs"] = new
    nb.metadata.pop("widgets", None)
    return charts.n


def notebook_to_html(nb: Any, *, title: str, handout: bool, hide_code: bool = True) -> tuple[str, int]:
    """Convert an executed notebook to one self-contained, offline HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (modified in place: outputs are converted, metadata trimmed).
    title : str
        The page title (escaped).
    handout : bool
        The handout style (leaflet CSS, stderr dropped) or a student's notebook (JupyterLab
        CSS). In both, markdown, raw cells and HTML/markdown outputs go through
        :func:`sanitize_html`; only the kit's chart and widget markup is shown as built.
    hide_code : bool
        Leave out code cells' input and all prompts.

    Returns
    -------
    html : str
    remote_removed : int
        How many remote references (web images, stylesheets) were neutralised.
    """
    # lazy: nbconvert takes 2.4 s to import (measured on the 2-core machine) and only this function needs it;
    # jinja2 is nbconvert's own dependency (its template loader), not one of the kit's
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    trusted = secrets.token_hex(16)
    n_charts = _convert_outputs(nb, handout=handout, trusted=trusted)
    keep = {k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata}
    nb.metadata.clear()
    nb.metadata.update(keep)
    nb.metadata["title"] = title
    head = ""
    if n_charts:
        head = ('<script type="text/javascript">/* plotly.js basic bundle, MIT licence (kit/data/vendor) */\n'
                + PLOTLY_JS.read_text(encoding="utf-8") + "\n</script>")
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]  # nbconvert's constructor is not annotated
        template_name="lab", extra_loaders=[DictLoader({"kit_page.html.j2": _NB_TEMPLATE})],
        template_file="kit_page.html.j2")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.sanitize_html = True  # markdown cells, raw cells, HTML and markdown outputs: through clean_html ...
    exporter.filters = {"clean_html": sanitize_html}  # ... which is the kit's one sanitiser
    resources = {
        "kit_trusted": trusted,
        "kit_css": _PAGE_CSS if handout else _EXPORT_CSS, "kit_lab_css": not handout,
        "kit_head_js": head, "kit_body_class": "kit-page" if handout else "kit-notebook",
        "metadata": {"name": title},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body, n_removed = _neutralise_remote(body)
    return body, n_removed
