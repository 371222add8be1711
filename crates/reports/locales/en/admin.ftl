# Administration of reports: categories and their questions, routing and districts,
# statistics and exports.

radm-back-home = Back to the back office
radm-cancel = Cancel
radm-nav-label = Reports administration
radm-nav-categories = Categories
radm-nav-routing = Routing and districts
radm-nav-statistics = Statistics
radm-bo-admin-title = Reports: categories and routing
radm-bo-admin-text = The categories offered to residents, their questions, the districts and the team that receives each report.
radm-bo-stats-title = Reports statistics
radm-bo-stats-text = Reports by category, district, status and month, time to acknowledge and to resolve, exports.

## Categories

radm-categories-title = Report categories
radm-categories-intro = The categories residents choose when they report a problem, and that other applications read through Open311. A sub-category belongs to a main category.
radm-categories-none = No category is defined yet.
radm-categories-caption = { $count ->
    [one] One category
   *[other] { $count } categories
}
radm-category-new = New category
radm-col-category = Category
radm-col-code = Code
radm-col-icon = Icon
radm-col-questions = Questions
radm-col-visibility = Visibility
radm-col-state = State
radm-col-reports = Reports
radm-sub-prefix = Sub-category:
radm-private = Private
radm-public = Public
radm-active = Offered
radm-inactive = Disabled
radm-category-new-title = New report category
radm-category-edit-title = Category “{ $name }”
radm-section-identity = What residents read
radm-section-reporting = When reporting
radm-section-list = Place in the list
radm-field-name = Name
radm-field-name-hint = A plain name, as residents would say it: “Street lighting”.
radm-field-code = Code
radm-field-code-hint = Lower-case letters without accents, digits and hyphens, for example “street-lighting”. It is the Open311 service code: it no longer changes once a report uses it.
radm-code-fixed = { $count ->
    [one] One report uses this code: it can no longer change.
   *[other] { $count } reports use this code: it can no longer change.
}
radm-field-description = Description
radm-field-description-hint = A sentence of examples, shown under the name (500 characters at most).
radm-field-icon = Icon
radm-field-icon-hint = Choose among the icons provided.
radm-icon-choose = Choose an icon
radm-field-parent = Main category
radm-field-parent-hint = For a sub-category, the main category it belongs to.
radm-parent-none = None: this is a main category
radm-field-keywords = Keywords
radm-field-keywords-hint = Separated by commas: they help find the category (“hole, road, street”).
radm-field-notice = Notice before sending
radm-field-notice-hint = Shown before sending, for example “In an emergency, call 17.” (500 characters at most).
radm-field-radius = Duplicate search radius (metres)
radm-field-radius-hint = Open reports of the same category within this radius are offered before sending: between 10 and 1,000 metres.
radm-field-private = Private category
radm-field-private-hint = Its reports appear neither on the public map nor in Open311 (a person in distress, a tag with a name…).
radm-field-position = Position
radm-field-position-hint = Smaller numbers come first. Leave empty to place it after the others.
radm-field-active = Offered to residents
radm-field-active-hint = Untick to stop offering it: reports already made remain.
radm-category-create = Create the category
radm-category-save = Save the category
radm-category-created = The category “{ $name }” is created.
radm-category-saved = The category “{ $name }” is saved.
radm-error-code-missing = Enter the category's code.
radm-error-code-format = The code may only hold lower-case letters without accents, digits and hyphens (for example “street-lighting”), 50 characters at most.
radm-error-code-taken = This code is already another category's: choose another one.
radm-error-code-locked = Reports already use this code: it can no longer change.
radm-error-name-missing = Enter the category's name.
radm-error-name-long = The name must not exceed 100 characters.
radm-error-description-long = The description must not exceed 500 characters.
radm-error-icon = Choose an icon from the list.
radm-error-parent-unknown = This main category does not exist: choose one from the list.
radm-error-parent-itself = A category cannot be its own main category.
radm-error-parent-not-top = Choose a main category: a sub-category cannot hold others.
radm-error-parent-has-children = This category has sub-categories: it stays a main category.
radm-error-keywords-long = Keywords must not exceed 300 characters.
radm-error-notice-long = The notice must not exceed 500 characters.
radm-error-radius = Enter a radius in metres, a whole number between 10 and 1,000.
radm-error-position = Enter a position as a positive whole number, or leave it empty.
radm-icon-voirie = Roads
radm-icon-eclairage = Lighting
radm-icon-proprete = Cleanliness
radm-icon-espaces-verts = Green spaces
radm-icon-mobilier = Street furniture
radm-icon-tags = Graffiti
radm-icon-stationnement = Parking
radm-icon-eau = Water
radm-icon-animaux = Animals
radm-icon-bruit = Noise
radm-icon-autre = Other

## Questions

radm-questions-title = Extra questions
radm-questions-intro = Asked to residents after the description, and published in Open311 as the service's attributes.
radm-questions-after-create = Create the category first: you can then add questions to it.
radm-questions-none = This category asks no extra question.
radm-q-required = required
radm-q-information = information text
radm-q-values-count = { $count ->
    [one] one choice
   *[other] { $count } choices
}
radm-q-edit = Edit question { $n }
radm-q-up = Move question { $n } up
radm-q-down = Move question { $n } down
radm-q-remove = Remove question { $n }
radm-q-add = Add a question
radm-q-back = Back to the category “{ $category }”
radm-q-new-title = New question for “{ $category }”
radm-q-edit-title = Question of “{ $category }”
radm-q-field-text = Question
radm-q-field-text-hint = As residents will read it: “Is the hole dangerous?”. For an information text, the text shown.
radm-q-field-code = Code
radm-q-field-code-hint = Lower-case letters without accents, digits, hyphens or underscores: answers are stored under this code.
radm-q-code-fixed = Reports of this category exist: their answers are stored under this code, it can no longer change.
radm-q-field-type = Type of answer
radm-q-field-type-hint = For a list, enter its choices below.
radm-q-field-values = Choices of the list
radm-q-field-values-hint = One choice per line, as “code | label” (for example “bag | One or two bags”); a label alone gets a code made from its text. Lists only.
radm-q-field-hint = Hint
radm-q-field-hint-hint = A precision on the expected answer, shown under the question.
radm-q-field-options = Options
radm-q-field-required = Answer required
radm-q-field-information = Information text only (no answer)
radm-q-field-information-hint = Shown with the questions, without an answer field.
radm-q-create = Add the question
radm-q-save = Save the question
radm-q-added = The question is added.
radm-q-saved = The question is saved.
radm-q-removed = The question is removed. Answers already given remain in the reports.
radm-q-moved = The question is moved.
radm-q-not-moved = The question is already in that place.
radm-q-error-code-missing = Enter the question's code.
radm-q-error-code-format = The code may only hold lower-case letters without accents, digits, hyphens or underscores, 50 characters at most.
radm-q-error-code-taken = Another question of this category already has this code.
radm-q-error-code-locked = Reports of this category exist: the question's code can no longer change.
radm-q-error-text-missing = Enter the question's text.
radm-q-error-text-long = The question must not exceed 300 characters.
radm-q-error-type = Choose a type of answer from the list.
radm-q-error-hint-long = The hint must not exceed 500 characters.
radm-q-error-information-required = An information text expects no answer: it cannot be required.
radm-q-error-list-empty = A list needs at least one choice: enter them, one per line.
radm-q-error-values-not-list = Only lists have choices: empty the choices box or choose a list type.
radm-q-error-values-many = A list cannot have more than 100 choices.
radm-q-error-value-key = Line { $line }: the code “{ $key }” may only hold lower-case letters without accents, digits, hyphens or underscores.
radm-q-error-value-name = Line { $line }: enter the label after the bar “|”.
radm-q-error-value-name-long = Line { $line }: the label must not exceed 200 characters.
radm-q-error-value-duplicate = Line { $line }: the code “{ $key }” is already another choice's.
radm-type-string = Short text
radm-type-text = Long text
radm-type-number = Number
radm-type-datetime = Date or date and time
radm-type-singlevaluelist = List, one choice
radm-type-multivaluelist = List, several choices

## Routing and districts

radm-routing-title = Routing of reports
radm-routing-intro = Each report goes to the service and team of the first rule that matches it, by its category and district.
radm-rules-title = Routing rules
radm-rules-intro = A rule on a category comes before rules on “all categories”; a rule on a main category also holds for its sub-categories.
radm-rules-none = No rule: reports arrive without a service.
radm-rule-when = { $category }, { $district }:
radm-rule-goes-to = goes to
radm-rule-agency = passed on to { $agency }
radm-rule-any-category = All categories
radm-rule-any-district = The whole territory
radm-rule-up = Move rule { $n } up
radm-rule-down = Move rule { $n } down
radm-rule-remove = Remove rule { $n }
radm-rule-add-title = Add a rule
radm-rule-field-category = Category
radm-rule-field-category-hint = “All categories” for a rule by district only.
radm-rule-field-district = District
radm-rule-field-service = Service
radm-rule-service-choose = Choose a service
radm-rule-field-team = Team
radm-rule-field-team-hint = A team of the chosen service, or none: the whole service then receives the report.
radm-rule-team-none = No team in particular
radm-rule-field-agency = External body
radm-rule-field-agency-hint = If it handles these reports instead of the town hall (the metropolis for water…): its name is given to the author.
radm-rule-field-place = Place of the rule
radm-rule-place-last = Last
radm-rule-place-first = First
radm-rule-add = Add the rule
radm-rule-added = The rule is added.
radm-rule-moved = The rule is moved.
radm-rule-removed = The rule is removed.
radm-rule-stale = This rule no longer exists or cannot move further: the list may have changed meanwhile. Here are the current rules.
radm-rule-error-category = This category does not exist: choose one from the list.
radm-rule-error-district = This district does not exist: choose one from the list.
radm-rule-error-service-missing = Choose the service that receives these reports.
radm-rule-error-service-unknown = This service does not exist: choose one from the list.
radm-rule-error-team = This team does not belong to the chosen service.
radm-rule-error-agency = The body's name must not exceed 200 characters.
radm-rule-error-duplicate = A rule already exists for this category and district: one of the two would never apply. Remove the old one first.
radm-preview-title = Where does a report go?
radm-preview-intro = Choose a category and a district to see where the current rules would send a report.
radm-preview-category = Category
radm-preview-choose = Choose a category
radm-preview-district = District
radm-preview-no-district = outside any district
radm-preview-submit = Show the destination
radm-preview-report = A “{ $category }” report in “{ $district }” goes to:
radm-preview-report-outside = A “{ $category }” report outside any district goes to:
radm-preview-team = { $service } — { $team }
radm-preview-agency = { $service }, passed on to { $agency }
radm-preview-nowhere = no rule applies, it would arrive without a service.
radm-preview-error-category = Choose the report's category.
radm-preview-error-district = This district does not exist: choose one from the list.
radm-districts-title = Districts
radm-districts-intro = Districts place each report; a point outside every district is refused as outside the commune.
radm-districts-none = No district: every point is accepted and only rules on “the whole territory” apply.
radm-districts-caption = { $count ->
    [one] One district
   *[other] { $count } districts
}
radm-col-district = District
radm-col-slug = Identifier
radm-col-rules = Rules
radm-col-actions = Actions
radm-district-delete = Delete the district “{ $name }”
radm-district-in-use = Used by rules
radm-district-used = { $count ->
    [one] A routing rule uses this district: remove it before deleting the district.
   *[other] { $count } routing rules use this district: remove them before deleting the district.
}
radm-district-deleted = { $count ->
    [0] The district “{ $name }” is deleted.
    [one] The district “{ $name }” is deleted; one report located there no longer has a district.
   *[other] The district “{ $name }” is deleted; { $count } reports located there no longer have a district.
}
radm-import-title = Import districts
radm-import-intro = A GeoJSON file (FeatureCollection) whose every feature is a polygon or a multipolygon, with the district's name in its properties. A district with the same identifier (made from the name) is replaced; at the slightest problem, nothing is imported.
radm-import-file = GeoJSON file
radm-import-file-hint = In .geojson or .json format, 5 MB at most.
radm-import-property = Name property
radm-import-property-hint = The property holding each district's name. Leave empty for “nom”, or else “name”.
radm-import-submit = Import the districts
radm-import-done = { $count ->
    [one] One district imported: { $created } new, { $replaced } replaced.
   *[other] { $count } districts imported: { $created } new, { $replaced } replaced.
}
radm-import-refused = { $count ->
    [one] The file is not imported, nothing changed. One problem needs fixing:
   *[other] The file is not imported, nothing changed. { $count } problems need fixing:
}
radm-import-no-file = Choose the districts' GeoJSON file.
radm-import-too-large = The file exceeds 5 MB: it is surely not a districts file.
radm-import-not-text = The file is not UTF-8 text: save it as GeoJSON from your mapping software.
radm-import-empty = The file is empty.
radm-import-syntax = The file is not valid JSON: error on line { $line }, column { $column }.
radm-import-not-collection = The file must be a GeoJSON “FeatureCollection”, with a “features” list.
radm-import-no-features = The file holds no district.
radm-import-too-many = The file holds { $count } features: { $max } at most are accepted.
radm-import-feature = Feature { $number } (line { $line }): { $detail }
radm-import-not-feature = it is not a GeoJSON “Feature”.
radm-import-no-geometry = it has no geometry.
radm-import-geometry-type = its geometry is of type “{ $kind }”, a “Polygon” or a “MultiPolygon” is expected.
radm-import-shape = its coordinates are not lists of points as its type requires.
radm-import-place = polygon { $polygon }, ring { $ring }, point { $position }
radm-import-position = a point is not a pair of numbers ({ $place }).
radm-import-out-of-range = a point is out of bounds, longitude between -180 and 180 then latitude between -90 and 90 ({ $place }).
radm-import-too-few = ring { $ring } of polygon { $polygon } has fewer than three distinct points.
radm-import-no-area = polygon { $polygon } has no area (its points are aligned).
radm-import-no-name = no name in the properties “{ $properties }”.
radm-import-name-long = its name exceeds 100 characters.
radm-import-no-slug = its name “{ $name }” gives no identifier (it holds neither letter nor digit).
radm-import-duplicate = it has the same identifier “{ $slug }” as feature { $first }.
radm-point-title = Which district is this point in?
radm-point-lat = Latitude
radm-point-lat-hint = In decimal degrees, for example 45.7641.
radm-point-lon = Longitude
radm-point-lon-hint = In decimal degrees, for example 4.8357.
radm-point-submit = Find the district
radm-point-in = This point is in the district “{ $name }”.
radm-point-outside = This point is in no district: a report there would be refused as outside the commune.
radm-point-no-districts = No district is defined: a report would be accepted there, without a district.
radm-point-error-lat-missing = Enter the latitude.
radm-point-error-lat = The latitude is a number between -90 and 90, for example 45.7641.
radm-point-error-lon-missing = Enter the longitude.
radm-point-error-lon = The longitude is a number between -180 and 180, for example 4.8357.

## Statistics and exports

rstat-title = Reports statistics
rstat-intro = Every report of the commune, by the chosen filters.
rstat-limited = The reports of the services you manage, by the chosen filters.
rstat-period = Filing period
rstat-from = From
rstat-until = To
rstat-date-hint = As YYYY-MM-DD. By default, the last twelve months.
rstat-category = Category
rstat-any-category = All categories
rstat-status = Status
rstat-any-status = All statuses
rstat-district = District
rstat-any-district = All districts
rstat-apply = Show
rstat-summary = In short
rstat-total = Reports
rstat-median-acknowledge = Median time to acknowledge
rstat-median-resolve = Median time to resolve
rstat-export-csv = Download these reports as CSV (spreadsheet)
rstat-export-geojson = Download these reports as GeoJSON (mapping)
rstat-by-status = By status
rstat-by-category = By category
rstat-by-district = By district
rstat-by-month = By month of filing (twelve months)
rstat-label = Label
rstat-count = Number
rstat-empty = No report.
rstat-no-district = Outside districts
rstat-delays-title = Delays by category
rstat-delays-caption = Median delays since filing, by category
rstat-delays-none = No report acknowledged in the period.
rstat-col-category = Category
rstat-col-acknowledged = Acknowledged
rstat-col-to-acknowledge = Median time to acknowledge
rstat-col-resolved = Resolved
rstat-col-to-resolve = Median time to resolve
rstat-no-delay = —
rstat-duration-minutes = { $minutes } min
rstat-duration-hours = { $hours } h { $minutes } min
rstat-duration-days = { $days } d { $hours } h
rstat-month-label = { $month } { $year }
rstat-month-1 = January
rstat-month-2 = February
rstat-month-3 = March
rstat-month-4 = April
rstat-month-5 = May
rstat-month-6 = June
rstat-month-7 = July
rstat-month-8 = August
rstat-month-9 = September
rstat-month-10 = October
rstat-month-11 = November
rstat-month-12 = December
rstat-source-web = Online
rstat-source-open311 = Open311
rstat-source-counter = Front desk
rstat-error-date = Enter a date as YYYY-MM-DD, for example 2026-01-31.
rstat-error-period = The end of the period must come after its start.
rstat-error-category = This category does not exist: choose one from the list.
rstat-error-status = This status does not exist: choose one from the list.
rstat-error-district = This district does not exist: choose one from the list.
