yes = Yes
no = No
cancel = Cancel
form-title-error-prefix = Error:
field-given-name = First name
field-family-name = Last name
field-email = E-mail address
field-email-hint = Expected format: name@example.com
field-password = Password
field-new-password = New password
field-password-hint = At least 8 characters mixing at least three kinds among lower case, upper case, digits and symbols — or a phrase of several words.
field-code = 6-digit code
field-code-hint = The code shown by your app, for example 123456.
field-code-or-recovery = Verification code
field-code-or-recovery-hint = The 6-digit code from your app, or one of your recovery codes.
password-too-short = The password must have at least { $min } characters.
password-too-long = The password must not exceed 128 characters.
password-too-weak = This password is too simple. Use at least { $min } characters mixing upper case, lower case, digits and symbols, or a phrase of several words.
password-common = This password is among the most used: choose another one.
password-personal = The password must not contain your name or e-mail address.
signup-title = Create an account
signup-intro = One account for every procedure with the commune.
signup-submit = Create my account
signup-have-account = I already have an account
signup-offline = Prefer not to create an account? The town hall's front desk can do your procedures with you.
signup-error-given-name = Enter your first name (letters, spaces, hyphens and apostrophes).
signup-error-family-name = Enter your last name (letters, spaces, hyphens and apostrophes).
signup-error-email = Enter a valid e-mail address, for example name@example.com.
signup-done-title = Check your mailbox
signup-done-text = If this address can be used, we have just sent you an e-mail with a link to confirm your account. The link is valid for 48 hours.
signup-done-spam = Nothing after a few minutes? Look in your spam folder.
verify-done = Your address is confirmed. You can log in.
verify-invalid = This confirmation link is no longer valid. Log in: if your address is not confirmed yet, we will send you a new link.
login-title = Log in
login-submit = Log in
login-forgot = Forgot your password?
login-no-account-heading = No account yet?
login-error-incomplete = Enter your e-mail address and your password.
login-error-email-missing = Enter your e-mail address.
login-error-password-missing = Enter your password.
login-error-credentials = Incorrect e-mail address or password.
login-error-throttled = Too many login attempts. For your security, wait 15 minutes before trying again, or reset your password.
login-error-unverified = Your e-mail address is not confirmed yet. We have just sent the confirmation link again.
logout-done = You are logged out.
forgot-title = Forgotten password
forgot-intro = Enter your account's address: we will send you a link to choose a new password.
forgot-submit = Get the link
forgot-sent = If an account exists with this address, a link has just been sent to it. It is valid for one hour and works once.
reset-title = Choose a new password
reset-submit = Save the password
reset-invalid = This link is no longer valid: it was already used or has expired.
reset-ask-again = Ask for a new link
reset-done = Your password is saved. You can log in.
space-heading = Hello { $name }
space-intro = Everything you do with the commune, in one place.
space-follow-heading = My procedures
space-account-heading = My account
space-member-since = Account created on
space-last-login = Last login
space-api-tokens = Connected applications (access tokens)
space-change-password = Change my password
mfa-setup-title = Turn on two-factor authentication
mfa-setup-why = Your role gives access to the data of many residents: on top of the password, a one-time code will be asked at each login.
mfa-setup-step-app = Install an authenticator app on your phone (for example FreeOTP, Aegis or your organisation's).
mfa-setup-step-scan = In the app, add an account by scanning this QR code.
mfa-setup-qr-label = QR code to scan with the authenticator app
mfa-setup-manual = Cannot scan? Type this key in the app:
mfa-setup-step-code = Type below the 6-digit code the app shows.
mfa-setup-submit = Turn on
mfa-error-code = This code is not valid. Check your phone's clock and type the code shown now.
mfa-codes-title = Your recovery codes
mfa-codes-enabled = Two-factor authentication is on.
mfa-codes-text = If you lose your phone, each of these codes lets you log in once. Print or write them down and keep them safe: they will not be shown again.
mfa-codes-continue = I have saved my codes, continue
mfa-challenge-title = Two-step verification
mfa-challenge-text = Open your authenticator app and type the code it shows.
mfa-challenge-submit = Confirm
mfa-recovery-used = You logged in with a recovery code. You have { $count } left.
mail-verify-subject = { $commune }: confirm your e-mail address
mail-verify-body =
    Hello,

    You have just created an account on the online services of { $commune }.
    To confirm it, open this link (valid for 48 hours):

    { $link }

    If you did not ask for this, ignore this message: no account will be activated.

    The online services of { $commune }
mail-reset-subject = { $commune }: choose a new password
mail-reset-body =
    Hello,

    A new password was requested for your account on the online services of { $commune }.
    To choose a new password, open this link (valid for one hour, works once):

    { $link }

    If you did not ask for this, ignore this message: your current password still works.

    The online services of { $commune }
mail-invite-subject = { $commune }: your staff account
mail-invite-body =
    Hello,

    An account has just been created for you on the staff area of the online services of { $commune }.
    To choose your password, open this link (valid for 7 days, works once):

    { $link }

    The online services of { $commune }
mail-exists-subject = { $commune }: you already have an account
mail-exists-body =
    Hello,

    Someone tried to create an account with your address on the online services of { $commune }. You already have an account: log in with your password.
    If you forgot it, choose a new one here:

    { $link }

    If you did not ask for this, ignore this message.

    The online services of { $commune }
bo-your-roles = Your roles
bo-requests-title = Requests
bo-requests-text = Your services' inbox: to handle, legal deadlines, search.
bo-procedures-title = Procedures and workflows
bo-procedures-text = The catalogue of procedures: entry, what silence means, handling workflow, routing to services.
bo-api-tokens-title = API access tokens
bo-api-tokens-text = Connect another of the commune's programs to the procedures and requests of your services.
bo-tools = Tools
bo-users-title = Users and roles
bo-users-text = Create staff accounts, grant and revoke roles.
bo-audit-title = Audit log
bo-audit-text = Who did what, when, for whom: search, and check the log's integrity.
bo-new-user = Create a staff account
bo-new-user-intro = The person will get an e-mail to choose their password. Administrators and the data protection officer turn on two-factor authentication at their first login.
bo-create-user = Create the account
bo-users-caption = Staff accounts ({ $count })
bo-col-name = Name
bo-col-roles = Roles
bo-col-mfa = Two-factor authentication
bo-invited = invitation sent
bo-status = Status
bo-never = never
bo-field-role = Role
bo-field-service = Service
bo-field-service-hint = Required for agents and service managers.
bo-no-service = No service
bo-error-email-taken = An account already exists with this address.
bo-error-role = Choose a role from the list.
bo-error-service = Choose the service of this agent or manager.
bo-error-self-admin = You cannot remove your own administrator role.
bo-user-created = The account of { $email } is created; an invitation was sent.
bo-back-to-users = Back to users
bo-grant-heading = Grant a role
bo-grant-submit = Grant the role
bo-grant-done = The role is granted.
bo-grant-exists = This person already has this role.
bo-revoke = Revoke the role { $role }
bo-revoke-confirm = Revoke this role?
bo-revoke-done = The role is revoked.
bo-audit-intro = Each entry is chained to the previous one: any change or deletion is detected by the integrity check.
bo-audit-who = Author or person concerned
bo-audit-who-hint = Part of the name or e-mail address.
bo-audit-action = Action
bo-audit-action-hint = Start of the action code, for example login. or role.
bo-audit-target = Identifier of the record concerned
bo-audit-from = From
bo-audit-to = To
bo-audit-search = Search
bo-audit-verify = Check the log's integrity
bo-audit-caption = Log entries, newest first
bo-audit-col-seq = No.
bo-audit-col-at = Date
bo-audit-col-who = Author
bo-audit-col-action = Action
bo-audit-col-target = Record
bo-audit-col-ip = IP address
bo-audit-col-details = Details
bo-audit-for = on behalf of { $name }
bo-audit-empty = No entry matches these criteria.
bo-audit-older = Older entries
bo-audit-intact = Log intact: { $count } entries checked.
bo-audit-broken = Log altered at entry no. { $seq }: { $reason }.
bo-audit-error-date = Enter a date in the dd/mm/yyyy format.
bo-services-title = Municipal services
bo-services-text = The town hall's services that agents belong to.
bo-services-intro = Each agent belongs to a service; requests and reports will be routed to it.
bo-services-none = No service yet: start here before creating the agents' accounts.
bo-services-caption = Services ({ $count })
bo-service-name = Service name
bo-service-name-hint = As residents will see it, for example “Civil status and citizenship”.
bo-service-slug = Short name
bo-service-slug-hint = Lower case without accents, digits and hyphens, for example etat-civil.
bo-service-email-hint = The service's contact address, given to residents.
bo-service-phone = Phone
bo-service-new = Create a service
bo-service-create = Create the service
bo-service-created = The service “{ $name }” is created.
bo-error-slug = The short name must be 2 to 40 characters: lower case without accents, digits and hyphens.
bo-error-slug-taken = A service already has this short name.
bo-error-service-name = Enter the service's name (2 to 120 characters).
field-current-password = Current password
password-change-title = Change my password
password-change-back = Back to my space
password-change-submit = Save the new password
password-change-note = Your other sessions (on another device, for example) will be closed, and an e-mail will confirm the change.
password-change-wrong-current = The current password is not right.
password-change-done = Your password is changed. Your other sessions were closed.
mail-password-changed-subject = { $commune }: your password was changed
mail-password-changed-body =
    Hello,

    The password of your account on the online services of { $commune } has just been changed.
    If it was not you, choose a new password right away here, then tell the town hall:

    { $link }

    The online services of { $commune }

## Teams inside a service
bo-teams-title = Teams of the service { $service }
bo-teams-text = The service's teams and their members, to which requests can be routed.
bo-teams-intro = A team gathers agents of the service (by area, by desk); routing rules can send requests to it, and its members find them in their list.
bo-teams-none = This service has no team yet.
bo-teams-link = Teams
bo-team-no-member = No member yet.
bo-team-remove = Remove { $name } from the team { $team }
bo-team-add-label = Agent of the service to add to the team { $team }
bo-team-add = Add to the team { $team }
bo-team-new = Create a team
bo-team-name = Team name
bo-team-name-hint = For example “North team” or “Front desk”.
bo-team-slug-hint = Optional: taken from the name when left empty (lower case without accents, digits and hyphens).
bo-team-create = Create the team
bo-team-created = The team “{ $name }” is created.
bo-team-member-added = The person joined the team “{ $team }”.
bo-team-member-already = The person already belonged to the team “{ $team }”.
bo-team-member-removed = The person left the team “{ $team }”.
bo-error-team-name = Give the team's name: 2 to 120 characters, with at least one letter or digit.
bo-error-team-name-taken = A team of this service already has this name: choose another one.
bo-error-team-slug-taken = A team of this service already has this short name: choose another one.
bo-error-team-member = Choose an agent or a manager of this service.
