bookings-title = Bookings
bookings-family = My family file
bookings-no-child = No child is registered in your family file.
bookings-add-child = Add a child
bookings-for = Bookings of { $name }
bookings-months = Change month
bookings-previous = Previous month
bookings-next = Next month
bookings-no-activity = No activity is offered for this child's school. Check the school given in the child's record.
bookings-day = Day
bookings-state = Booking
bookings-action = Action
bookings-pattern = Book several weeks at once (weekly pattern)
bookings-pattern-days = Days to book each week
bookings-pattern-from = From
bookings-pattern-until = Until
bookings-pattern-submit = Book these days
bookings-account = My family account
bookings-account-intro = Each line says how its amount is computed: open it to see the family-quotient bracket and the surcharge applied.
bookings-account-empty = No line this month.
bookings-child = Child
bookings-activity = Activity
bookings-line = Line
bookings-amount = Amount
bookings-total = Total for the month
kitchen-title = Meals to prepare
kitchen-day = Day
kitchen-show = Show
kitchen-csv = Download the numbers (CSV)
kitchen-none = No school restaurant in your services.
kitchen-total = { $count ->
    [one] { $count } meal
   *[other] { $count } meals
}
kitchen-by-diet = Meals by diet
kitchen-diet = Diet
kitchen-meals = Meals
kitchen-by-allergen = Children by allergen to avoid
kitchen-allergen = Allergen
kitchen-children = Children
kitchen-other-allergies = Other allergies (see the records)
kitchen-care-plans = Children with a PAI
register-title = Register
register-activity = Activity
register-booked = { $count ->
    [one] { $count } child expected
   *[other] { $count } children expected
}
register-nobody = No child is booked that day.
register-others = { $count ->
    [one] { $count } other child of the school (present without booking)
   *[other] { $count } other children of the school (present without booking)
}
register-no-activity = No activity in your services.
register-care-plan = PAI: follow the child's protocol
register-allergies = Allergies: { $list }
register-diet = Diet: { $diet }
register-present = Present
register-absent = Absent
activities-title = Activities and school meals
activity-rules-saved = The rules are saved; they apply to the next bookings.
activity-starts-at = Time the service starts
activity-starts-at-hint = For example 11:45 for lunch; deadlines “in hours” count from this time.
activity-booking = Booking at the normal price: until when?
activity-cancellation = Free cancellation: until when?
activity-late = Last-minute booking (surcharged): until when?
activity-rule-none = No last-minute booking
activity-rule-days = A number of days before, at a time (0: the same day)
activity-rule-working-days = A number of working days before, at a time (weekends and public holidays not counted)
activity-rule-hours = A number of hours before the service starts
activity-rule-week = A set day of an earlier week, at a time
activity-rule-days-count = Number of days
activity-rule-hours-count = Number of hours
activity-rule-time = Time
activity-rule-weekday = Day of the week
activity-rule-weeks = Weeks before
activity-rule-weeks-hint = 1: the week before; 0: the same week.
activity-late-surcharge = Last-minute surcharge
activity-late-fixed = An amount in euros
activity-late-percent = A percentage of the price
activity-late-value = Surcharge
activity-preview = Preview
activity-save = Save
activity-preview-title = The next three weeks
activity-preview-title-new = Preview of the rules typed (not saved)
activity-preview-caption = Deadlines of the next three weeks
activity-preview-day = Day of service
activity-preview-booking = Booking closes on
activity-preview-cancellation = Free cancellation until
activity-preview-late = Last minute until
register-excuse = Reason for the absence
register-excuse-submit = Excuse the absence
