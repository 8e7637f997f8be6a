/* Haven pages: suggestions while typing, more areas to avoid, one-click referrals, live referral status.
   Every page also works without this script; it only makes them quicker to use. */
(function () {
  "use strict";

  var messages = {};
  try { messages = JSON.parse(document.getElementById("page-messages").textContent); } catch (e) { messages = {}; }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : ""; });
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify(body)
    });
  }

  /* -- search-as-you-type (ARIA 1.2 combobox with a listbox popup) ------------------------- */
  var comboCount = 0;

  function initCombo(wrapper) {
    var input = wrapper.querySelector('input[role="combobox"]');
    var list = wrapper.querySelector('[role="listbox"]');
    var live = wrapper.querySelector("[data-live]");
    if (!input || !list || input.dataset.comboReady) { return; }
    input.dataset.comboReady = "1";
    var source = wrapper.getAttribute("data-suggest");
    var multi = wrapper.hasAttribute("data-multi");
    var active = -1, items = [], timer = null, asked = 0;
    comboCount += 1;
    var prefix = "opt-" + comboCount + "-";

    function currentTerm() {
      if (!multi) { return input.value.trim(); }
      var parts = input.value.split(/[,;]/);
      return parts[parts.length - 1].trim();
    }
    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) { li.scrollIntoView({ block: "nearest" }); }
      });
      if (index >= 0) { input.setAttribute("aria-activedescendant", prefix + index); }
      else { input.removeAttribute("aria-activedescendant"); }
    }
    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      if (multi) {
        var parts = input.value.split(/[,;]/).map(function (p) { return p.trim(); }).filter(Boolean);
        parts.pop();
        parts.push(item.label);
        input.value = parts.join(", ") + ", ";
      } else {
        input.value = item.label;
      }
      close();
      input.focus();
    }
    function show(suggestions) {
      items = suggestions; list.innerHTML = ""; active = -1;
      suggestions.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = prefix + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.textContent = item.label + (item.province ? " (" + item.province + ")" : "");
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      var open = suggestions.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (live) { live.textContent = open ? fill(messages.suggestions, { n: suggestions.length }) : messages.no_suggestions; }
    }
    function ask() {
      var term = currentTerm();
      if (term.length < 1) { close(); return; }
      var ticket = ++asked;
      postJson(source, { q: term }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        if (ticket === asked) { show(data.suggestions || []); }
      }).catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { ask(); return; }
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        highlight(active - 1 < 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        if (open && active >= 0) { choose(active); }
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function initCombos(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".combo[data-suggest]"), initCombo);
  }

  /* -- areas to avoid: one more row at a time ---------------------------------------------- */
  function initAvoid(fieldset) {
    var button = fieldset.querySelector("[data-add-avoid]");
    var rows = fieldset.querySelector("[data-avoid-rows]");
    if (!button || !rows) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var all = rows.querySelectorAll("[data-avoid-row]");
      if (all.length >= 10) { button.hidden = true; return; }
      var index = all.length;
      var row = all[all.length - 1].cloneNode(true);
      Array.prototype.forEach.call(row.querySelectorAll(".error, .place-choices"), function (el) { el.remove(); });
      Array.prototype.forEach.call(row.querySelectorAll(".has-error"), function (el) { el.classList.remove("has-error"); });
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        delete input.dataset.comboReady;
        var name = input.name === "avoid_place" ? "avoid_place_" : "avoid_radius_";
        input.id = "f-" + name + index;
        if (input.getAttribute("aria-controls")) { input.setAttribute("aria-controls", input.id + "-list"); }
      });
      var list = row.querySelector('[role="listbox"]');
      if (list) { list.id = "f-avoid_place_" + index + "-list"; list.innerHTML = ""; list.hidden = true; }
      Array.prototype.forEach.call(row.querySelectorAll("label"), function (label, i) {
        var input = row.querySelectorAll("input")[i];
        if (input) { label.setAttribute("for", input.id); }
        if (i === 0) { label.textContent = label.textContent.replace(/\d+/, String(index + 1)); }
      });
      rows.appendChild(row);
      initCombos(row);
      row.querySelector("input").focus();
      if (index + 1 >= 10) { button.hidden = true; }
    });
  }

  /* -- a place name several places share: a choice fills the field ---------------------------- */
  function initPlaceChoices(root) {
    root.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-fill]") : null;
      if (!button) { return; }
      var input = document.getElementById(button.getAttribute("data-fill"));
      if (!input) { return; }
      input.value = button.getAttribute("data-value");
      var list = button.closest(".place-choices");
      if (list) { list.remove(); }
      input.focus();
    });
  }

  /* -- one-click referral without leaving the results ----------------------------------------- */
  function initReferForm(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "choice" || !window.fetch) { return; }
      event.preventDefault();
      var result = button.parentNode.querySelector("[data-refer-result]") ||
                   button.closest("tr, li").querySelector("[data-refer-result]");
      var data = new FormData(form);
      data.append("choice", button.value);
      button.disabled = true;
      result.className = "refer-result";
      result.textContent = messages.referring;
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "Accept": "application/json", "X-CSRF-Token": csrfToken }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (answer) {
        if (answer.status === 201) {
          result.className = "refer-result ok";
          result.textContent = answer.body.message + " ";
          var link = document.createElement("a");
          link.href = answer.body.url; link.textContent = messages.open_referral;
          result.appendChild(link);
        } else {
          button.disabled = answer.status === 409;
          result.className = "refer-result failed";
          result.textContent = answer.status === 401 ? messages.signed_out :
            (messages.refer_failed + ": " + ((answer.body.error || {}).message || answer.status));
        }
      }).catch(function () {
        button.disabled = false;
        result.className = "refer-result failed";
        result.textContent = messages.refer_failed;
      });
    });
  }

  /* -- hold time left, counted down on the page -------------------------------------------- */
  function formatLeft(iso) {
    var minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
    if (isNaN(minutes)) { return null; }
    if (minutes <= 0) { return messages.expired; }
    var text;
    if (minutes < 60) { text = fill(messages.fmt_min, { m: minutes }); }
    else {
      var h = Math.floor(minutes / 60), m = minutes % 60;
      text = m ? fill(messages.fmt_hm, { h: h, m: m }) : fill(messages.fmt_h, { h: h });
    }
    return fill(messages.fmt_left, { left: text });
  }
  function tickCountdowns() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), function (el) {
      var text = formatLeft(el.getAttribute("data-countdown"));
      if (text) { el.textContent = text; }
    });
  }

  /* -- light polling of referral status --------------------------------------------------- */
  function initPolling(container) {
    var url = container.getAttribute("data-poll");
    var seconds = Math.max(5, parseInt(container.getAttribute("data-poll-seconds"), 10) || 20);
    var reloadOnChange = container.hasAttribute("data-reload-on-change");
    var knownPending = container.hasAttribute("data-pending-count") ?
      parseInt(container.getAttribute("data-pending-count"), 10) : null;
    var timer = null;

    function rows() { return container.querySelectorAll("[data-referral]"); }
    function poll() {
      if (document.hidden) { return; }
      var ids = Array.prototype.map.call(rows(), function (row) { return row.getAttribute("data-referral"); });
      var query = ids.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
      // X-Haven-Poll: this refresh does not count as activity, so an unattended page still signs out.
      fetch(url + (query ? "?" + query : ""), {
        credentials: "same-origin", headers: { "Accept": "application/json", "X-Haven-Poll": "1" }
      }).then(function (response) {
        if (response.status === 401) { stop(messages.signed_out); return null; }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) { return; }
        Array.prototype.forEach.call(rows(), function (row) {
          var info = data.referrals[row.getAttribute("data-referral")];
          if (!info) { return; }
          var status = row.querySelector("[data-status]");
          var badge = status && status.querySelector(".badge");
          var before = badge ? badge.className.replace(/.*status-(\w+).*/, "$1") : null;
          if (before && before !== info.status) {
            if (reloadOnChange) { window.location.reload(); return; }
            badge.className = "badge status-" + info.status;
            badge.textContent = info.status_text;
            if (info.status === "accepted" && info.url) {
              // Accepted: the address is one click away (reading it there is what gets audited).
              var link = document.createElement("a");
              link.href = info.url; link.textContent = messages.address;
              status.appendChild(document.createTextNode(" "));
              status.appendChild(link);
            }
            var left = row.querySelector("[data-left]");
            if (left && info.status !== "pending") { left.textContent = "—"; }
          }
        });
        if (knownPending !== null && typeof data.pending === "number" && data.pending > knownPending) {
          var note = container.querySelector("[data-new-pending]");
          if (note) { note.hidden = false; note.textContent = messages.new_pending; }
        }
      }).catch(function () { /* the next tick tries again */ });
    }
    function stop(text) {
      clearInterval(timer);
      var note = document.querySelector("[data-poll-note]");
      if (note && text) { note.textContent = text; }
    }
    timer = setInterval(poll, seconds * 1000);
  }

  /* -- confirmations and focus ------------------------------------------------------------- */
  function initConfirm(form) {
    form.addEventListener("submit", function (event) {
      var text = messages[form.getAttribute("data-confirm")];
      if (text && !window.confirm(text)) { event.preventDefault(); }
    });
  }

  function start() {
    initCombos(document);
    initPlaceChoices(document);
    Array.prototype.forEach.call(document.querySelectorAll("[data-avoid]"), initAvoid);
    Array.prototype.forEach.call(document.querySelectorAll("[data-refer-form]"), initReferForm);
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), initPolling);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), initConfirm);
    if (document.querySelector("[data-countdown]")) { tickCountdowns(); setInterval(tickCountdowns, 30000); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
