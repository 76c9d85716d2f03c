// postrun-kit: the triage form's page helper (kit.views.widgets.PageHelper, an anywidget ES module).
// Radio semantics for ipywidgets' toggle buttons (role=radiogroup/radio, aria-checked, arrow keys,
// one tab stop per group), the banner as a polite live region, the form as a named landmark, and
// the browser session id kept in the tab's sessionStorage and sent to the kernel (drafts are keyed by it).
const KEY = "postrun-kit-session";
const SESSION = /^[A-Za-z0-9_-]{16,64}$/;
let uid = 0;

function labelOf(group) {
  const label = group.querySelector(":scope > .widget-label");
  if (!label || !label.textContent.trim()) return null;
  if (!label.id) label.id = "kit-label-" + (++uid) + "-" + Math.random().toString(36).slice(2, 8);
  return label.id;
}

function fix(root) {
  root.querySelectorAll(".widget-toggle-buttons").forEach((w) => {
    const group = w.querySelector(":scope > div:not(.widget-label)") || w;
    if (group.getAttribute("role") !== "radiogroup") group.setAttribute("role", "radiogroup");
    const lid = labelOf(w);
    if (lid && group.getAttribute("aria-labelledby") !== lid) group.setAttribute("aria-labelledby", lid);
    const buttons = Array.from(group.querySelectorAll("button"));
    const active = buttons.findIndex((b) => b.classList.contains("mod-active"));
    buttons.forEach((b, i) => {
      if (b.getAttribute("role") !== "radio") b.setAttribute("role", "radio");
      const checked = i === active ? "true" : "false";
      if (b.getAttribute("aria-checked") !== checked) b.setAttribute("aria-checked", checked);
      const tab = i === (active < 0 ? 0 : active) ? "0" : "-1";
      if (b.getAttribute("tabindex") !== tab) b.setAttribute("tabindex", tab);
      if (b.textContent.trim() === "?" && !b.getAttribute("aria-label")) b.setAttribute("aria-label", "unknown");
      if (!b.dataset.kitKeys) {
        b.dataset.kitKeys = "1";
        b.addEventListener("keydown", (e) => {
          const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
          if (!step) return;
          e.preventDefault();
          const all = Array.from(group.querySelectorAll("button"));
          const next = all[(all.indexOf(b) + step + all.length) % all.length];
          next.focus();
          next.click();
        });
      }
    });
  });
  const banner = root.querySelector(".kit-escalation");
  if (banner && banner.getAttribute("role") !== "status") {
    banner.setAttribute("role", "status");
    banner.setAttribute("aria-live", "polite");
    banner.setAttribute("aria-atomic", "true");
  }
  if (root.classList.contains("kit-form") && root.getAttribute("role") !== "form") {
    root.setAttribute("role", "form");
    root.setAttribute("aria-label", "Triage form");
  }
}

// The recheck countdown (kit.views.widgets.TriageForm.countdown_html): the kernel draws it at each change; the
// page ticks it every second between changes, from its data-due (ms since the epoch) and data-at ("16:43").
function tick(root) {
  root.querySelectorAll(".kit-countdown[data-due]").forEach((c) => {
    const due = Number(c.dataset.due);
    if (!due) return;
    const left = (due - Date.now()) / 1000;
    const mins = Math.ceil(Math.abs(left) / 60);
    const at = c.dataset.at || "";
    const text = Math.abs(left) < 30 ? `Recheck due now (${at})`
      : left > 0 ? `Recheck due at ${at}: in ${mins} min` : `Recheck overdue by ${mins} min (due ${at})`;
    if (c.textContent !== text) c.textContent = text;
    const over = left < 0 ? "true" : "false";
    if (c.dataset.overdue !== over) c.dataset.overdue = over;
  });
}

function render({ model, el }) {
  el.classList.add("kit-page-helper");
  let mine = model.get("session");
  try {
    const kept = window.sessionStorage.getItem(KEY);
    if (kept && SESSION.test(kept)) {
      if (kept !== mine) { model.set("session", kept); model.save_changes(); }
    } else if (mine && SESSION.test(mine)) {
      window.sessionStorage.setItem(KEY, mine);
    }
  } catch (err) { /* no sessionStorage: the kernel's id stays, drafts live as long as the page */ }
  let observer = null;
  let tries = 0;
  let queued = false;
  const start = () => {
    const root = el.closest(".kit-form");
    if (!root) {
      if (++tries < 600) requestAnimationFrame(start);
      return;
    }
    fix(root);
    observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; fix(root); });
    });
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    timer = setInterval(() => tick(root), 1000);
  };
  let timer = null;
  start();
  return () => { if (observer) observer.disconnect(); if (timer) clearInterval(timer); };
}

export default { render };
