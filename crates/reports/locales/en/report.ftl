# Reporting a problem and following it (residents)

## The step-by-step form
report-new-title = Report a problem
report-new-steps-label = Steps of the report
report-new-step-of = Step { $step } of { $steps }
report-new-step-1 = The problem
report-new-step-2 = The place
report-new-step-3 = The details
report-new-step-4 = Check and send
report-new-error-prefix = Error:
report-new-intro = A few questions are enough, with or without an account. You can go back at any time without losing anything.
report-new-required-legend = Fields marked with an asterisk (*) are required.
report-new-next = Next
report-new-previous = Previous
report-new-category-legend = What is the problem?
report-new-category-missing = Choose the kind of problem from the list.
report-new-chosen-category = Problem: { $category }
report-new-change-category = Change the kind of problem
report-new-change-place = Change the place
report-new-change-details = Change the details
report-new-sub-category-legend = Tell us more about the problem
report-new-sub-category-missing = Tell us more by choosing one of the options.
report-new-place-legend = Where is the problem?
report-new-place-chosen = Place chosen: { $place }
report-new-address-label = Address or place
report-new-address-hint = For example: 12 rue de la République, or the name of the nearest street. Then choose the address from the list.
report-new-address-search = Search for the address
report-new-address-empty = Type an address or a street name before searching.
report-new-address-none = No address found for “{ $query }”. Check the spelling, or give the nearest street.
report-new-found-legend = Choose the address
report-new-place-choose = Several addresses match: choose the right one from the list.
report-new-place-missing = Give the place: type an address, put a pin on the map or use your position.
report-new-place-outside = This place is outside the town: the town hall cannot handle this report. Please contact the town concerned.
report-new-place-pin = Pin placed on the map ({ $lat }, { $lon })
report-new-place-near = Near { $street }
report-new-my-position = Use my position
report-new-description-label = Description of the problem
report-new-description-hint = What you see, since when, what is in the way or dangerous. Do not give names or number plates.
report-new-datetime-hint = For example: 2026-11-23T08:30 (date, then time).
report-new-select-one = Choose an answer
report-new-photos-attached = Photos attached (tick those to remove)
report-new-photo-item = Photo { $n } ({ $width } × { $height } pixels)
report-new-photo-remove = Remove { $photo }
report-new-photos-label = Add photos (optional)
report-new-photos-hint = Up to { $count } more. JPEG, PNG or WebP. Hidden information in photos (place, device, date) is removed before they are stored.
report-new-photos-full = You have attached the largest number of photos. Remove one to add another.
report-new-photos-too-many = Add at most { $max } photos.
report-new-photo-position-label = Use the position of the photo
report-new-photo-position-hint = If your phone recorded where the photo was taken, that place replaces the one chosen. The photo is read for this only if you tick this box.
report-new-photo-position-none = No position was found in the photos added with this box ticked. Untick it to keep the place chosen at the previous step.
report-new-photo-position-outside = The position recorded in the photo is outside the town: the place chosen is kept. Untick the box to go on.
report-new-photo-place = Position read from the photo
report-new-photo-lost = A photo is no longer available after a long wait: add it again.
report-new-email-label = Your email address (optional)
report-new-email-hint = To be told by email of each step of the handling.
report-new-privacy-note = Without an account, the town hall keeps neither your name nor your IP address. Your email address, if you give it, is used only to keep you informed about this report. Either way, you will get a personal tracking link.
report-new-logged-in-note = You are logged in: this report will appear in “My space” and you will be told by email how it is handled.
report-new-summary = Your report
report-new-summary-category = Problem
report-new-summary-place = Place
report-new-summary-description = Description
report-new-summary-none = None
report-new-summary-photos = Photos
report-new-summary-photo-count = { $count ->
    [0] No photo
    [one] One photo
   *[other] { $count } photos
}
report-new-summary-email = Email for updates
report-new-summary-no-email = None: keep the tracking link shown after sending
report-new-duplicates-heading = Already reported nearby?
report-new-duplicates-none = No similar report has been made nearby in the last 30 days.
report-new-duplicates-private = This kind of problem is not public: it goes straight to the service concerned.
report-new-duplicates-intro = These reports of the same kind, still open, were made very close in the last 30 days. If it is the same problem, say “Me too”: your support is counted and you will be told how it is handled, without a duplicate.
report-new-duplicate-distance = { $metres } m away
report-new-duplicate-filed = reported on { $date }
report-new-me-too = Me too
report-new-send = Send the report
report-new-send-anyway = Send a new report
report-new-too-many = You have sent many reports in a short time. Wait an hour, or create an account, then send again: your report is kept.
report-me-too-count = { $count ->
    [one] one person said “me too”
   *[other] { $count } people said “me too”
}

## After sending
report-filed-title = Report sent
report-filed-done = Thank you! Your report { $reference } has been sent.
report-filed-reference = Reference
report-filed-agency = { $agency } (the town hall forwards your report to it)
report-filed-link-heading = Your tracking link
report-filed-link-intro = This link opens the tracking page of your report, updated live. Bookmark it, copy it or take a screenshot.
report-filed-link-only-key = Keep this link: it is the only key to your report. The town hall does not know your name and cannot give it to you again.
report-filed-link-account = You will also find this report in “My reports”, from your space.
report-filed-open-tracking = Open the tracking page
report-filed-open-mine = See it in “My reports”
report-filed-another = Report another problem
report-followed-title = Thank you, noted
report-followed-done = Your “me too” on report { $reference } is counted.

## « Moi aussi »
report-metoo-title = Me too: report { $reference }
report-metoo-intro = Your support is counted and you will be told how it is handled. Without an account, give your email address if you want the news by email.
report-metoo-counted = Your “me too” is counted: you will be told how this report is handled.
report-metoo-already = You already follow this report: your support counts only once.
report-metoo-already-email = This email address already follows this report: the tracking link was sent to it.

## Tracking page
report-track-title = Report { $reference }
report-track-live-changed = The report has just been updated. New status:
report-track-status = Status
report-track-since = since { $date }
report-track-planned = Work planned on
report-track-merged-into = Grouped with report
report-track-handled-by = Handled by
report-track-agency = Body in charge
report-track-me-too = Support
report-track-history = Progress
report-track-history-filed = Report received
report-track-history-status = New status: { $status }
report-track-history-merged = Grouped with a report of the same problem
report-track-history-planned = Work planned
report-track-history-message = Message from the town hall
report-track-fix-photo = Photo of the work { $n }
report-track-details = The report
report-track-filed-on = Reported on
report-track-place = Place
report-track-place-map = Pin placed on the map
report-track-district = { $district } district
report-track-description = Description
report-track-moderated = This text is no longer shown to the public: the town hall hid it (face, number plate, words). Only you see it here.
report-track-photo = Photo attached to the report { $n }
report-track-photos = Photos

## The resident's reports
report-mine-title = My reports
report-mine-new = Report a problem
report-mine-all = All my reports
report-mine-none = No report yet.
report-mine-filed = Reports I made
report-mine-followed = Reports I follow
report-mine-col-reference = Reference
report-mine-col-category = Problem
report-mine-col-date = Reported on
report-mine-col-status = Status
report-mine-space-item = { $reference } — { $category }: { $status }
