# The form builder in the back office.
builder-title = Form of the procedure “{ $procedure }”
builder-all-procedures = All procedures
builder-back-to-procedure = Back to the procedure “{ $title }”
builder-back-to-form = Back to the form
builder-versions = Form versions
builder-versions-caption = Each published version stays attached to the requests filed with it.
builder-no-version = No version yet.
builder-col-version = Version
builder-col-state = State
builder-col-created = Created
builder-col-changed = Last change
builder-col-published = Published
builder-state-draft = Draft (being edited)
builder-state-published = Published (used for new requests)
builder-state-retired = Replaced
builder-when-by = { $when } by { $who }
builder-editing = Content of the form
builder-editing-draft = You are editing the draft of version { $version }. Applicants only see it once published.
builder-no-draft = The form below is published version { $version }. Your first change creates a new draft version: the published version does not change.
builder-no-form = This procedure has no form yet. Add a page to start: a draft is created.
builder-new-version = Create a new version
builder-draft-opened = The draft of version { $version } is open.
builder-preview-link = See the preview
builder-publish-link = Publish version { $version }
builder-import-link = Import a form (JSON)
builder-export-link = Export the procedure (JSON)
builder-unfinished = Before it can be published:
builder-page-heading = Page { $number }: { $title }
builder-page-empty = This page has no block yet.
builder-edit-page = Edit page { $number }
builder-delete-page = Delete page { $number }
builder-move-up = Move up
builder-move-down = Move down
builder-move-up-named = Move up “{ $name }”
builder-move-down-named = Move down “{ $name }”
builder-edit = Edit
builder-edit-named = Edit “{ $name }”
builder-delete = Delete
builder-delete-named = Delete “{ $name }”
builder-block-title = Title
builder-block-explanation = Explanation
builder-block-field = Field
builder-block-field-of-type = Field: { $type }
builder-field-facts = { $type }, key “{ $key }”
builder-required = required
builder-prefilled = pre-filled: { $what }
builder-shown-if = Shown only if “{ $field }” is “{ $value }”.
builder-add-block-to = Add a block to the page “{ $title }”
builder-add-block = Add this block
builder-add-page = Add a page
builder-page-title = Page title
builder-page-title-hint = For example: Your request, Your details, Supporting documents.
builder-add-page-submit = Add the page
builder-page-added = The page “{ $title }” is added to the draft.
builder-page-moved = Page { $number } is moved.
builder-block-moved = The block is moved.
builder-block-deleted = The block is deleted from the draft.
builder-saved = Change saved in the draft of version { $version }.
builder-save = Save
builder-save-field = Save the field
builder-cancel = Cancel
builder-problems-intro = The form would no longer be correct after this change: nothing was saved.
builder-delete-page-question = Delete page { $number } “{ $title }”?
builder-delete-page-fields = These fields will be deleted with it:
builder-delete-page-no-field = This page holds no field.
builder-delete-page-draft = Deleting only changes the draft: requests already filed keep their version of the form.
builder-delete-page-confirm = Yes, delete page { $number }
builder-on-page-number = Page { $number }: { $title }
builder-on-page-only = Page { $number }
builder-text-title-new = New title
builder-text-title-edit = Edit the title
builder-text-explanation-new = New explanation
builder-text-explanation-edit = Edit the explanation
builder-text = Text
builder-field-new-title = New field
builder-field-edit-title = Edit the field “{ $key }”
builder-field-label = Label
builder-field-label-hint = What the applicant reads, for example: Date of the event.
builder-field-key = Key
builder-field-key-hint = The name of the answer in exports: lower-case letters without accents, digits and “_”, starting with a letter. Leave empty to derive it from the label.
builder-field-type = Field type
builder-field-required = Answer required
builder-field-help = Help text
builder-field-help-hint = Shown under the label: an example, where to find the information.
builder-field-length = Length of the answer (short text, long text)
builder-field-min-length = At least this many characters
builder-field-min-length-hint = Short text only. Leave empty: no minimum.
builder-field-max-length = At most this many characters
builder-field-max-length-hint = Leave empty: no maximum.
builder-field-bounds = Value (number)
builder-field-min = Minimum
builder-field-max = Maximum
builder-field-bounds-hint = A whole number; leave empty: no limit.
builder-field-format = Required format (short text)
builder-field-pattern = Pattern (regular expression)
builder-field-pattern-hint = The whole answer must match, for example [0-9]{"{"}5{"}"} for a postcode.
builder-field-pattern-message = Message when the answer does not match
builder-field-pattern-message-hint = For example: The postcode has 5 digits.
builder-field-options = Offered answers (single choice, multiple choice)
builder-field-options-hint = One answer per line.
builder-field-prefill = Pre-fill with
builder-field-prefill-hint = What the commune already knows about the applicant: they need not say it again, and may correct it.
builder-prefill-none = Do not pre-fill
builder-prefill-given-name = their given name
builder-prefill-family-name = their family name
builder-prefill-email = their e-mail address
builder-prefill-phone = their phone
builder-prefill-postal-address = their postal address
builder-condition-legend = Show only if
builder-condition-label = Expected answer to a field placed before
builder-condition-hint = Leave “Always show” if no condition is needed.
builder-condition-always = Always show
builder-condition-is = “{ $label }” is “{ $value }”
builder-condition-checked = “{ $label }” is ticked
builder-condition-typed = “{ $label }” has the value typed below
builder-condition-value = Expected value
builder-condition-value-hint = Only for a field without offered answers.
builder-condition-none = No field is placed before: no condition is possible here.
builder-type-short-text = Short text
builder-type-long-text = Long text
builder-type-number = Number
builder-type-date = Date
builder-type-email = E-mail address
builder-type-phone = Phone
builder-type-postal-address = Postal address
builder-type-single-choice = Single choice
builder-type-multiple-choice = Multiple choice
builder-type-checkbox = Checkbox
builder-type-file = Attachment
builder-rule-min-length = at least { $value } characters
builder-rule-max-length = at most { $value } characters
builder-rule-min = at least { $value }
builder-rule-max = at most { $value }
builder-rule-pattern = format { $pattern } (“{ $message }”)
builder-rule-options = answers: { $options }
builder-rule-help = help: { $help }
builder-at-page = of page { $number } (“{ $title }”)
builder-at-field = of the field “{ $label }”
builder-problem-no-page = The form has no page yet.
builder-problem-empty-page = Page { $number } (“{ $title }”) has no block yet.
builder-problem-bad-key = The key “{ $key }” is not valid: lower-case letters without accents, digits and “_”, starting with a letter.
builder-problem-duplicate-key = The key “{ $key }” is used by two fields.
builder-problem-no-options = The field “{ $label }” offers no answer.
builder-problem-condition-later = The condition { $at } looks at “{ $field }”, which is placed after it: a condition may only look at a field placed before.
builder-problem-condition-unknown = The condition { $at } looks at the field “{ $field }”, which is not (or no longer) in the form.
builder-problem-condition-value = The condition { $at } waits for the answer “{ $value }”, which the field “{ $field }” does not offer.
builder-problem-bad-pattern = The pattern of the field “{ $label }” is not a valid regular expression.
builder-problem-bad-bounds = The field “{ $label }” has a minimum above its maximum.
builder-error-page-title = Give the page a title (150 characters at most).
builder-error-text = Write the text (2,000 characters at most).
builder-error-label = Write the field's label (200 characters at most).
builder-error-key = The key “{ $key }” is not valid: lower-case letters without accents, digits and “_”, starting with a letter, 60 characters at most.
builder-error-key-taken = The key “{ $key }” is already that of the field “{ $label }”: choose another one.
builder-error-type = Choose a field type.
builder-error-number = Type a whole number, or leave empty.
builder-error-bounds = The minimum must be less than or equal to the maximum.
builder-error-pattern = This pattern is not a valid regular expression.
builder-error-pattern-message = Write the message shown to the applicant when their answer does not match the pattern.
builder-error-options = Write at least one offered answer, one per line.
builder-error-option-twice = The answer “{ $option }” is written twice.
builder-error-help = The help text has 1,000 characters at most.
builder-error-prefill = Choose one of the offered pieces of information.
builder-error-condition-field = Choose a field placed before from the list.
builder-error-condition-later = The condition looks at “{ $field }”, which is placed after it: a condition may only look at a field placed before.
builder-error-condition-unknown = The condition looks at the field “{ $field }”, which is not (or no longer) in the form.
builder-error-condition-value = Give the expected value.
builder-error-condition-not-offered = The field “{ $field }” does not offer the answer “{ $value }”.
builder-error-stale = The draft changed since you opened this page: read the differences below again before publishing.
builder-error-changed = The form has changed since this page was displayed: reload it.
builder-error-no-draft = There is no draft to publish: change the form first or create a new version.
builder-preview-title = Preview of the form
builder-preview-draft = The draft of version { $version }, as the applicant will see it.
builder-preview-published = Published version { $version }, as the applicant sees it.
builder-preview-note = Preview only: nothing can be sent from this page. Every page and field is shown, with its conditions; the applicant only sees those that concern them.
builder-publish-title = Publish the form
builder-publish-heading = Publish version { $version }
builder-diff-intro = What version { $version } changes compared with published version { $old }.
builder-diff-first = Version { $version } will be the first published: everything in it is new.
builder-diff-title = Differences
builder-diff-none = No difference with the published version.
builder-diff-pages-added = { $count ->
    [one] Page added
   *[other] Pages added ({ $count })
}
builder-diff-pages-removed = { $count ->
    [one] Page removed
   *[other] Pages removed ({ $count })
}
builder-diff-pages-changed = { $count ->
    [one] Page changed
   *[other] Pages changed ({ $count })
}
builder-diff-fields-added = { $count ->
    [one] Field added
   *[other] Fields added ({ $count })
}
builder-diff-fields-removed = { $count ->
    [one] Field removed
   *[other] Fields removed ({ $count })
}
builder-diff-fields-changed = { $count ->
    [one] Field changed
   *[other] Fields changed ({ $count })
}
builder-diff-pages-moved = { $count ->
    [one] Page moved
   *[other] Pages moved ({ $count })
}
builder-diff-blocks-moved = { $count ->
    [one] Block moved within its page
   *[other] Blocks moved within their page ({ $count })
}
builder-page-moved-from-to = The page “{ $title }” goes from position { $from } to { $to }.
builder-field-moved-from-to = The field “{ $name }” ({ $key }) goes from position { $from } to { $to } on the page “{ $page }”.
builder-text-moved-from-to = The text “{ $name }” goes from position { $from } to { $to } on the page “{ $page }”.
builder-renamed = “{ $old }” now “{ $new }”
builder-field-named = “{ $label }” ({ $key })
builder-field-renamed = “{ $old }” now “{ $label }” ({ $key })
builder-on-page = page “{ $title }”
builder-aspect-label = label
builder-aspect-type = type
builder-aspect-required = required or not
builder-aspect-validation = checks of the answer
builder-aspect-options = offered answers
builder-aspect-condition = display condition
builder-aspect-help = help text
builder-aspect-prefill = pre-filling
builder-aspect-page = moved to another page
builder-page-aspect-title = title
builder-page-aspect-condition = display condition
builder-page-aspect-texts = titles and explanations
builder-page-aspect-order = order of the blocks
builder-in-progress-title = Requests in progress
builder-in-progress-open = { $count ->
    [0] No request filed and not yet decided uses version { $old }.
    [one] 1 request filed and not yet decided uses version { $old }.
   *[other] { $count } requests filed and not yet decided use version { $old }.
}
builder-in-progress-drafts = { $count ->
    [0] No applicant's draft uses version { $old }.
    [one] 1 applicant's draft uses version { $old }.
   *[other] { $count } applicants' drafts use version { $old }.
}
builder-in-progress-keep = They keep version { $old } to the end: only requests started after publication will use version { $version }.
builder-in-progress-none = No version is published: no request is in progress.
builder-routing-intro = Some routing rules of the procedure look at fields missing from this version; they will no longer apply:
builder-routing-warning = a rule on the field “{ $key }”
builder-cannot-publish = This version cannot be published yet:
builder-publish-submit = Publish version { $version }
builder-published = Version { $version } is published. Requests already started keep version { $old }.
builder-published-first = Version { $version } is published: the procedure can be filed online.
builder-import-title = Import a form
builder-import-intro = A form shared by another commune (a form file, or a whole procedure file) replaces the content of the draft. The published version does not change before publication.
builder-import-submit = Replace the draft
builder-imported = The imported form replaces the draft of version { $version }. Read it through, then publish it.
builder-json-file = JSON file
builder-json-file-hint = A .json file exported by Parvis.
builder-json-text = Or paste its content
builder-json-text-hint = Used only if no file is chosen.
builder-json-empty = Choose a file or paste its content.
builder-json-too-large = The file is larger than 1 MB: it is not a form.
builder-json-not-text = The file is not readable text (UTF-8): it is not a JSON file.
builder-json-syntax = The file is not readable JSON: error at line { $line }, column { $column }.
builder-json-shape = The file does not describe a valid form: line { $line }, column { $column }, { $detail }.
builder-json-missing = the property “{ $name }” is missing
builder-json-unknown = the value “{ $name }” is not recognised
builder-json-type = a value does not have the expected type ({ $detail })
builder-json-no-form = This procedure file holds no form.
builder-json-not-a-form = This file holds neither a form (“pages”) nor a procedure (“slug”, “form”).
builder-json-invalid = The form in the file is not correct: nothing was imported.
builder-import-procedure-title = Import a procedure
builder-import-procedure-intro = Create a procedure from the JSON file shared by another commune: catalogue entry, regime, workflow, routing and published form.
builder-import-slug = Address of the new procedure
builder-import-slug-hint = Optional: replaces the one in the file. Lower-case letters without accents, digits and hyphens, for example hall-booking-2.
builder-import-service = Service in charge
builder-import-service-hint = Optional: replaces the service named in the file.
builder-import-service-from-file = The one in the file
builder-import-procedure-submit = Create the procedure
builder-import-slug-taken = The address “{ $slug }” is already that of a procedure: give another one.
builder-import-bad-slug = The address “{ $slug }” is not valid: lower-case letters without accents, digits and hyphens.
builder-import-info-url = The information page address must be a full https:// address: “{ $url }”.
builder-import-unknown-service = The service “{ $service }” does not exist in the commune: choose the service in charge.
builder-import-unknown-routing-service = A routing rule in the file sends requests to the service “{ $service }”, which does not exist in the commune.
builder-import-unknown-team = A routing rule in the file sends requests to the team “{ $team }” of the service “{ $service }”, which has no team of that short name in the commune.
builder-import-workflow = The workflow in the file is not correct: { $detail }.
builder-procedure-imported = The procedure “{ $title }” is created, with its published form. It is listed in the catalogue.
