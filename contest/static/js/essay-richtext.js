// The rich-text editor of writing contests (Quill 2, vendored under static/vendor/quill), shared by the entry
// editor (essay-editor.js) and the organiser's rules field (essay-settings.js). It replaces a <textarea> holding
// the HTML: the textarea stays in the form, hidden and kept up to date, so the form still posts the text.
//
// What comes out is Quill's semantic HTML with every space plain again (Quill 2.0.3 writes each space as &nbsp;,
// which would stop long lines from wrapping) and nothing but the formats of our toolbar. The server sanitises it
// anyway; this only keeps the editor from offering what the server would drop. Images are never data: URLs: the
// image button, pasted and dropped image files go to the upload API and the editor shows the returned address;
// pasted <img> elements pointing anywhere else are left out.
(function () {
  "use strict";
  if (!window.Quill) { return; }

  var OWN_IMAGE = /^(https?:\/\/[^/]+)?\/essays\/files\/[A-Za-z0-9_-]{20,64}$/;
  var FORMATS_TEXT = ["header", "bold", "italic", "underline", "blockquote", "list", "indent", "link"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Quill 2.0.3 turns every space into &nbsp; in getSemanticHTML; the stored text must wrap like text.
  function semanticHtml(quill) {
    if (quill.getLength() <= 1) { return ""; }
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ").replace(/\u00a0/g, " ");
  }

  function label(el, text) {
    if (el && text) {
      el.setAttribute("title", text);
      el.setAttribute("aria-label", text);
    }
  }

  // The snow theme's words ("Visit URL:", "Edit", "Save", "Remove") live in its CSS; essays.css reads them from
  // these attributes instead, which the page fills in the reader's language.
  function translateTooltip(quill, texts) {
    var tooltip = quill.theme && quill.theme.tooltip ? quill.theme.tooltip.root : null;
    if (!tooltip) { return; }
    tooltip.setAttribute("data-visit", texts.linkVisit || "");
    tooltip.setAttribute("data-enter", texts.linkEnter || "");
    var action = tooltip.querySelector("a.ql-action");
    var remove = tooltip.querySelector("a.ql-remove");
    var input = tooltip.querySelector("input[type=text]");
    if (action) { action.setAttribute("data-edit", texts.linkEdit || ""); action.setAttribute("data-save", texts.linkSave || ""); }
    if (remove) { remove.setAttribute("data-remove", texts.linkRemove || ""); }
    if (input) { input.setAttribute("data-link", "https://"); }
  }

  function labelToolbar(quill, texts) {
    var toolbar = quill.getModule("toolbar");
    if (!toolbar || !toolbar.container) { return; }
    var root = toolbar.container;
    label(root.querySelector('button.ql-header[value="2"]'), texts.toolHeading2);
    label(root.querySelector('button.ql-header[value="3"]'), texts.toolHeading3);
    label(root.querySelector("button.ql-bold"), texts.toolBold);
    label(root.querySelector("button.ql-italic"), texts.toolItalic);
    label(root.querySelector("button.ql-underline"), texts.toolUnderline);
    label(root.querySelector("button.ql-blockquote"), texts.toolQuote);
    label(root.querySelector('button.ql-list[value="ordered"]'), texts.toolOrdered);
    label(root.querySelector('button.ql-list[value="bullet"]'), texts.toolBullet);
    label(root.querySelector("button.ql-link"), texts.toolLink);
    label(root.querySelector("button.ql-image"), texts.toolImage);
    label(root.querySelector("button.ql-clean"), texts.toolClean);
    root.setAttribute("role", "toolbar");
  }

  // Upload one image file; resolves with its address, rejects with a message for the writer.
  function uploadImage(url, file, texts) {
    var body = new FormData();
    body.append("file", file, file.name || "image");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json", "Accept-Language": document.documentElement.lang || "vi", "X-CSRFToken": csrfToken()},
      body: body
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        if (resp.ok && answer && answer.url) { return answer; }
        var message = answer && answer.error && answer.error.message ? answer.error.message : texts.uploadFailed;
        throw new Error(message);
      });
    }, function () { throw new Error(texts.uploadOffline); });
  }

  // options: {textarea, container, uploadUrl (null: no images), texts (from data- attributes), onUploaded(answer),
  //           onError(message), readOnly}
  function create(options) {
    var textarea = options.textarea;
    var texts = options.texts || {};
    var withImages = Boolean(options.uploadUrl);
    var tools = [[{header: 2}, {header: 3}], ["bold", "italic", "underline"],
                 ["blockquote", {list: "ordered"}, {list: "bullet"}], withImages ? ["link", "image"] : ["link"],
                 ["clean"]];
    var formats = withImages ? FORMATS_TEXT.concat(["image"]) : FORMATS_TEXT;
    var quill;

    function insertUploaded(files, range) {
      Array.prototype.forEach.call(files, function (file) {
        if (!/^image\/(jpeg|png)$/.test(file.type)) {
          if (options.onError) { options.onError(texts.imageType); }
          return;
        }
        if (options.onBusy) { options.onBusy(true); }
        uploadImage(options.uploadUrl, file, texts).then(function (answer) {
          var at = range ? range.index : quill.getLength() - 1;
          quill.insertEmbed(at, "image", answer.url, "user");
          quill.setSelection(at + 1, 0, "silent");
          if (options.onUploaded) { options.onUploaded(answer); }
        }).catch(function (err) {
          if (options.onError) { options.onError(err.message); }
        }).then(function () {
          if (options.onBusy) { options.onBusy(false); }
        });
      });
    }

    var handlers = {
      link: function (value) {
        if (!value) { quill.format("link", false, "user"); return; }
        var range = quill.getSelection(true);
        var url = window.prompt(texts.linkPrompt || "URL", "https://");
        if (!url || !/^(https?:\/\/|mailto:)/i.test(url.trim())) {
          if (url && options.onError) { options.onError(texts.linkInvalid); }
          return;
        }
        if (range && range.length === 0) {
          quill.insertText(range.index, url.trim(), "link", url.trim(), "user");
        } else {
          quill.format("link", url.trim(), "user");
        }
      }
    };
    if (withImages) {
      handlers.image = function () {
        var input = document.createElement("input");
        input.type = "file";
        input.accept = "image/jpeg,image/png";
        input.hidden = true;
        input.addEventListener("change", function () {
          if (input.files && input.files.length) { insertUploaded(input.files, quill.getSelection(true)); }
          input.remove();
        });
        document.body.appendChild(input);
        input.click();
      };
    }

    var modules = {toolbar: {container: tools, handlers: handlers}};
    // Pasted or dropped image files: uploaded, never kept as data: URLs.
    modules.uploader = {
      mimetypes: ["image/png", "image/jpeg"],
      handler: function (range, files) {
        if (withImages) { insertUploaded(files, range); }
        else if (options.onError) { options.onError(texts.imageNotHere); }
      }
    };
    quill = new window.Quill(options.container, {
      theme: "snow", modules: modules, formats: formats, readOnly: Boolean(options.readOnly),
      placeholder: texts.placeholder || ""
    });
    // Pasted HTML: images from anywhere but our own uploads are dropped (data: URLs above all).
    var Delta = window.Quill.import("delta");
    quill.clipboard.addMatcher("IMG", function (node, delta) {
      var src = node.getAttribute("src") || "";
      return withImages && OWN_IMAGE.test(src) ? delta : new Delta();
    });
    labelToolbar(quill, texts);
    translateTooltip(quill, texts);

    var initial = textarea.value || "";
    if (initial) {
      quill.setContents(quill.clipboard.convert({html: initial}), "silent");
    }
    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    options.container.hidden = false;
    if (quill.theme && quill.theme.modules && quill.theme.modules.toolbar) {
      quill.theme.modules.toolbar.container.hidden = false;
    }
    var labelEl = textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
    if (labelEl) {
      // The label now names the editing area, which screen readers reach instead of the hidden textarea.
      var labelId = labelEl.id || (textarea.id + "-label");
      labelEl.id = labelId;
      quill.root.setAttribute("aria-labelledby", labelId);
      quill.root.setAttribute("role", "textbox");
      quill.root.setAttribute("aria-multiline", "true");
      labelEl.addEventListener("click", function () { quill.focus(); });
    }

    function sync() { textarea.value = semanticHtml(quill); }
    quill.on("text-change", function (delta, old, source) {
      sync();
      if (options.onChange) { options.onChange(source); }
    });
    sync();
    return {
      quill: quill,
      html: function () { return semanticHtml(quill); },
      // Whitespace-separated words of the plain text, as contest/essays/wordcount.py counts them.
      text: function () { return quill.getText(); },
      setHtml: function (html) {
        quill.setContents(html ? quill.clipboard.convert({html: html}) : [], "silent");
        sync();
      },
      enable: function (on) { quill.enable(on); }
    };
  }

  window.ContestRichText = {create: create, semanticHtml: semanticHtml};
})();
