# open311
open311-key-service = API keys are issued by { $commune } to each application that files reports: write to { $email } with the application's name and a technical contact. Reading needs no key. How to use it: { $url }
open311-note-filed = Report received.
open311-note-update = Report updated.

open311-keys-title = Open311 keys
open311-keys-intro = A key lets another application (a neighbourhood app, a metropolitan dashboard) file reports through the Open311 interface. Name each client, keep a contact to reach it, and revoke its key as soon as it must no longer file. Reading public reports needs no key.
open311-keys-endpoint = Interface address:
open311-keys-about-link = how-to for developers
open311-keys-clients = Clients
open311-keys-none = No key has been issued yet.
open311-keys-caption = { $count ->
    [one] One client
   *[other] { $count } clients
}
open311-keys-col-name = Client
open311-keys-col-contact = Contact
open311-keys-col-prefix = Start of the key
open311-keys-col-created = Issued on
open311-keys-col-used = Last filing
open311-keys-col-state = State
open311-keys-never = never
open311-keys-active = Active
open311-keys-revoked-on = Revoked on { $date }
open311-keys-revoke = Revoke the key of “{ $name }”
open311-keys-revoked = The key of “{ $name }” is revoked: it no longer files anything.
open311-keys-already-revoked = This key was already revoked.
open311-keys-new = Issue a key
open311-keys-field-name = Client name
open311-keys-field-name-hint = The application or body that will use the key, for instance “My Neighbourhood app”. 100 characters at most.
open311-keys-field-contact = Contact
open311-keys-field-contact-hint = Whom to reach if something goes wrong: an e-mail address or a phone number. 200 characters at most.
open311-keys-issue = Issue the key
open311-keys-error-name = Give the client's name (100 characters at most).
open311-keys-error-contact = Give a contact to reach the client (200 characters at most).
open311-keys-issued = The key of “{ $name }” is issued.
open311-keys-issued-title = The new key
open311-keys-issued-once = Hand it to the client over a safe channel now: it will never be shown again. The commune keeps only a fingerprint of it. If it is lost, revoke it and issue another.
open311-keys-issued-use = The client sends it with each filing, in the field

open311-about-title = Open311 interface
open311-about-intro = The commune's public reports can be read, and filed, with the Open311 GeoReport v2 standard: an existing application works without changes.
open311-about-endpoint = Interface address
open311-about-jurisdiction = Jurisdiction id (jurisdiction_id, optional)
open311-about-formats = Formats
open311-about-formats-text = Every resource exists in XML (.xml) and JSON (.json).
open311-about-resources = Resources
open311-about-discovery = the description of the interface and its formats;
open311-about-services = the report categories (the services);
open311-about-definition = the extra questions of a category;
open311-about-requests = the public reports of the last 90 days, with their filters;
open311-about-request = one report;
open311-about-post = file a report, with an API key;
open311-about-tokens = find a report from its token.
open311-about-key-title = Getting a key
open311-about-privacy-title = Personal data
open311-about-privacy = The interface never publishes a report's author, nor texts and photos hidden by moderation, nor private categories. On filing, only the e-mail address is kept, and only to keep the author informed; the name, phone and device or account ids are not stored.
