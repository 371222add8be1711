# map: the public map and list of reports, one report's public page, the map script
map-list-title = Current reports
map-map-title = Map of reports
map-intro = Problems reported in public space, open or resolved less than 30 days ago. Places are shown to within about a hundred metres; the author is never shown.
map-see-map = See the map
map-see-list = See the full list
map-report-a-problem = Report a problem
map-filters-label = Filter reports
map-filter-category = Category
map-filter-all-categories = All categories
map-filter-state = Status
map-state-current = Open or recently resolved
map-state-open = Open
map-state-resolved = Resolved less than 30 days ago
map-filter-district = District
map-filter-all-districts = All districts
map-filter-submit = Filter
map-filter-reset = Clear filters
map-list-heading = List of reports
map-count = { $count ->
    [0] No reports.
    [one] 1 report.
   *[other] { $count } reports.
}
map-list-empty = No report matches these criteria.
map-reported-on = Reported on { $date }
map-place-district = { $district } district
map-place-near = near { $street }
map-place-unknown = place not given
map-description-hidden = Description hidden by moderation.
map-no-script = The map needs JavaScript. The list below shows the same reports.
map-more = See the { $count } reports in the list
map-marker-label = { $category } — { $status } — reported on { $date }
map-pagination = Pages of the list
map-previous = Previous page
map-next = Next page
map-page-of = Page { $page } of { $pages }
map-back-to-list = All reports
map-reference = Reference
map-status = Status
map-status-since = since { $date }
map-planned = Work planned on
map-reported = Reported on
map-place = Place (within 100 m)
map-me-too = Same problem seen
map-me-too-count = { $count ->
    [one] by one other person
   *[other] by { $count } other people
}
map-merged = This report was merged with another one describing the same problem.
map-merged-link = See the report being followed
map-description = Description
map-no-description = No description.
map-photos = Photos
map-photo-alt = Photo { $n } of { $count } attached to the report
map-fix-photo-alt = Photo { $n } of { $count } of the work done
map-place-heading = On the map
map-history = Follow-up
map-history-filed = Report received
map-history-status = New status: { $status }
map-history-merged = Merged with another report
map-history-planned = Work planned
map-history-recategorised = Category corrected
map-history-message = Message from the town hall
map-me-too-heading = Have you seen the same problem?
map-me-too-text = Rather than a new report, say so here: the team will know the problem bothers several people.
map-me-too-email = Your e-mail address (optional)
map-me-too-email-hint = Only to be told by e-mail how it is handled; it is never shown.
map-me-too-submit = Me too
map-js-map-label = Map of reports
map-js-map-role = map
map-js-pick-label = Map to show where the problem is
map-js-place-label = Approximate place of the report
map-js-help = Drag the map or use the arrow keys to move it, and the + and − buttons to zoom.
map-js-help-pick = Tap or click the map where the problem is. With the keyboard: bring the place to the centre with the arrow keys, then press Enter.
map-js-zoom-in = Zoom in
map-js-zoom-out = Zoom out
map-js-pin-placed = Place shown on the map.
map-js-near = Near { $place }.
map-js-locating = Finding your position…
map-js-locate-denied = Your position is not available: access was refused. Show the place on the map or type an address.
map-js-locate-failed = Your position could not be found. Show the place on the map or type an address.
map-js-shown = Reports shown on this part of the map: { $count }.
map-js-truncated = Only the most recent are shown: zoom in to see the others.
map-js-load-failed = The reports could not be loaded. The list below the map is still available.
