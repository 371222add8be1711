yes = Oui
no = Non
cancel = Annuler
form-title-error-prefix = Erreur :
field-given-name = Prénom
field-family-name = Nom
field-email = Adresse électronique
field-email-hint = Format attendu : nom@exemple.fr
field-password = Mot de passe
field-new-password = Nouveau mot de passe
field-password-hint = Au moins 8 caractères mêlant au moins trois sortes parmi : minuscules, majuscules, chiffres et symboles — ou une phrase de plusieurs mots.
field-code = Code à 6 chiffres
field-code-hint = Le code affiché par votre application, par exemple 123456.
field-code-or-recovery = Code de vérification
field-code-or-recovery-hint = Le code à 6 chiffres de votre application, ou l'un de vos codes de secours.
password-too-short = Le mot de passe doit contenir au moins { $min } caractères.
password-too-long = Le mot de passe ne doit pas dépasser 128 caractères.
password-too-weak = Ce mot de passe est trop simple. Utilisez au moins { $min } caractères mêlant majuscules, minuscules, chiffres et symboles, ou une phrase de plusieurs mots.
password-common = Ce mot de passe fait partie des plus utilisés : choisissez-en un autre.
password-personal = Le mot de passe ne doit pas contenir votre nom ni votre adresse électronique.
signup-title = Créer un compte
signup-intro = Un seul compte pour toutes vos démarches auprès de la commune.
signup-submit = Créer mon compte
signup-have-account = J'ai déjà un compte
signup-offline = Vous préférez ne pas créer de compte ? L'accueil de la mairie peut faire vos démarches avec vous.
signup-error-given-name = Indiquez votre prénom (lettres, espaces, tirets et apostrophes).
signup-error-family-name = Indiquez votre nom (lettres, espaces, tirets et apostrophes).
signup-error-email = Indiquez une adresse électronique valide, par exemple nom@exemple.fr.
signup-done-title = Vérifiez votre messagerie
signup-done-text = Si cette adresse peut être utilisée, nous venons de vous envoyer un courriel avec un lien pour confirmer votre compte. Le lien est valable 48 heures.
signup-done-spam = Rien reçu après quelques minutes ? Regardez dans les courriers indésirables.
verify-done = Votre adresse est confirmée. Vous pouvez vous connecter.
verify-invalid = Ce lien de confirmation n'est plus valable. Connectez-vous : si votre adresse n'est pas encore confirmée, nous vous enverrons un nouveau lien.
login-title = Se connecter
login-submit = Se connecter
login-forgot = Mot de passe oublié ?
login-no-account-heading = Pas encore de compte ?
login-error-incomplete = Indiquez votre adresse électronique et votre mot de passe.
login-error-email-missing = Indiquez votre adresse électronique.
login-error-password-missing = Indiquez votre mot de passe.
login-error-credentials = Adresse électronique ou mot de passe incorrect.
login-error-throttled = Trop de tentatives de connexion. Pour votre sécurité, patientez 15 minutes avant de réessayer, ou réinitialisez votre mot de passe.
login-error-unverified = Votre adresse électronique n'est pas encore confirmée. Nous venons de vous renvoyer le lien de confirmation.
logout-done = Vous êtes déconnecté(e).
forgot-title = Mot de passe oublié
forgot-intro = Indiquez l'adresse de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = Recevoir le lien
forgot-sent = Si un compte existe avec cette adresse, un lien vient de lui être envoyé. Il est valable une heure et ne sert qu'une fois.
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer le mot de passe
reset-invalid = Ce lien n'est plus valable : il a déjà servi ou a expiré.
reset-ask-again = Demander un nouveau lien
reset-done = Votre mot de passe est enregistré. Vous pouvez vous connecter.
space-heading = Bonjour { $name }
space-intro = Retrouvez ici tout ce que vous faites avec la commune.
space-follow-heading = Mes démarches
space-account-heading = Mon compte
space-member-since = Compte créé le
space-last-login = Dernière connexion
space-api-tokens = Applications connectées (jetons d'accès)
space-change-password = Changer de mot de passe
mfa-setup-title = Activer la double authentification
mfa-setup-why = Votre rôle donne accès aux données de nombreux habitants : en plus du mot de passe, un code à usage unique vous sera demandé à chaque connexion.
mfa-setup-step-app = Installez une application d'authentification sur votre téléphone (par exemple FreeOTP, Aegis ou celle de votre collectivité).
mfa-setup-step-scan = Dans l'application, ajoutez un compte en scannant ce code QR.
mfa-setup-qr-label = Code QR à scanner avec l'application d'authentification
mfa-setup-manual = Vous ne pouvez pas scanner ? Saisissez cette clé dans l'application :
mfa-setup-step-code = Saisissez ci-dessous le code à 6 chiffres que l'application affiche.
mfa-setup-submit = Activer
mfa-error-code = Ce code n'est pas valable. Vérifiez l'heure de votre téléphone et saisissez le code affiché actuellement.
mfa-codes-title = Vos codes de secours
mfa-codes-enabled = La double authentification est activée.
mfa-codes-text = Si vous perdez votre téléphone, chacun de ces codes permet de se connecter une fois. Imprimez-les ou notez-les et gardez-les en lieu sûr : ils ne seront plus affichés.
mfa-codes-continue = J'ai noté mes codes, continuer
mfa-challenge-title = Vérification en deux étapes
mfa-challenge-text = Ouvrez votre application d'authentification et saisissez le code affiché.
mfa-challenge-submit = Valider
mfa-recovery-used = Vous vous êtes connecté(e) avec un code de secours. Il vous en reste { $count }.
mail-verify-subject = { $commune } : confirmez votre adresse électronique
mail-verify-body =
    Bonjour,

    Vous venez de créer un compte sur les services en ligne de { $commune }.
    Pour le confirmer, ouvrez ce lien (valable 48 heures) :

    { $link }

    Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : aucun compte ne sera activé.

    Les services en ligne de { $commune }
mail-reset-subject = { $commune } : choisir un nouveau mot de passe
mail-reset-body =
    Bonjour,

    Une demande de nouveau mot de passe a été faite pour votre compte sur les services en ligne de { $commune }.
    Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, utilisable une seule fois) :

    { $link }

    Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.

    Les services en ligne de { $commune }
mail-invite-subject = { $commune } : votre compte agent
mail-invite-body =
    Bonjour,

    Un compte vient d'être créé pour vous sur l'espace agents des services en ligne de { $commune }.
    Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours, utilisable une seule fois) :

    { $link }

    Les services en ligne de { $commune }
mail-exists-subject = { $commune } : vous avez déjà un compte
mail-exists-body =
    Bonjour,

    Quelqu'un a voulu créer un compte avec votre adresse sur les services en ligne de { $commune }. Vous avez déjà un compte : connectez-vous avec votre mot de passe.
    Si vous l'avez oublié, choisissez-en un nouveau ici :

    { $link }

    Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.

    Les services en ligne de { $commune }
bo-your-roles = Vos rôles
bo-requests-title = Demandes
bo-requests-text = La boîte de réception de vos services : à traiter, échéances légales, recherche.
bo-procedures-title = Démarches et circuits
bo-procedures-text = Le catalogue des démarches : fiche, régime du silence, circuit de traitement, orientation vers les services.
bo-api-tokens-title = Jetons d'accès à l'API
bo-api-tokens-text = Relier un autre logiciel de la commune aux démarches et aux demandes de vos services.
bo-tools = Outils
bo-users-title = Utilisateurs et rôles
bo-users-text = Créer les comptes des agents, attribuer et retirer les rôles.
bo-audit-title = Journal d'audit
bo-audit-text = Qui a fait quoi, quand, pour qui : rechercher et vérifier l'intégrité du journal.
bo-new-user = Créer un compte agent
bo-new-user-intro = La personne recevra un courriel pour choisir son mot de passe. Les administrateurs et le délégué à la protection des données activeront la double authentification à leur première connexion.
bo-create-user = Créer le compte
bo-users-caption = Comptes du personnel ({ $count })
bo-col-name = Nom
bo-col-roles = Rôles
bo-col-mfa = Double authentification
bo-invited = invitation envoyée
bo-status = État
bo-never = jamais
bo-field-role = Rôle
bo-field-service = Service
bo-field-service-hint = Obligatoire pour les agents et les responsables de service.
bo-no-service = Aucun service
bo-error-email-taken = Un compte existe déjà avec cette adresse.
bo-error-role = Choisissez un rôle dans la liste.
bo-error-service = Choisissez le service de cet agent ou de ce responsable.
bo-error-self-admin = Vous ne pouvez pas retirer votre propre rôle d'administrateur.
bo-user-created = Le compte de { $email } est créé ; une invitation lui a été envoyée.
bo-back-to-users = Retour aux utilisateurs
bo-grant-heading = Attribuer un rôle
bo-grant-submit = Attribuer le rôle
bo-grant-done = Le rôle est attribué.
bo-grant-exists = Cette personne a déjà ce rôle.
bo-revoke = Retirer le rôle { $role }
bo-revoke-confirm = Retirer ce rôle ?
bo-revoke-done = Le rôle est retiré.
bo-audit-intro = Chaque entrée est chaînée à la précédente : toute modification ou suppression est détectée par la vérification d'intégrité.
bo-audit-who = Auteur ou personne concernée
bo-audit-who-hint = Une partie du nom ou de l'adresse électronique.
bo-audit-action = Action
bo-audit-action-hint = Début du code de l'action, par exemple login. ou role.
bo-audit-target = Identifiant de l'élément concerné
bo-audit-from = Du
bo-audit-to = Au
bo-audit-search = Rechercher
bo-audit-verify = Vérifier l'intégrité du journal
bo-audit-caption = Entrées du journal, des plus récentes aux plus anciennes
bo-audit-col-seq = N°
bo-audit-col-at = Date
bo-audit-col-who = Auteur
bo-audit-col-action = Action
bo-audit-col-target = Élément
bo-audit-col-ip = Adresse IP
bo-audit-col-details = Détails
bo-audit-for = pour le compte de { $name }
bo-audit-empty = Aucune entrée ne correspond à ces critères.
bo-audit-older = Entrées plus anciennes
bo-audit-intact = Journal intègre : { $count } entrées vérifiées.
bo-audit-broken = Journal altéré à l'entrée n° { $seq } : { $reason }.
bo-audit-error-date = Indiquez une date au format jj/mm/aaaa.
bo-services-title = Services municipaux
bo-services-text = Les services de la mairie auxquels les agents sont rattachés.
bo-services-intro = Chaque agent est rattaché à un service ; les demandes et signalements y seront orientés.
bo-services-none = Aucun service n'est encore créé : commencez par là avant de créer les comptes des agents.
bo-services-caption = Services ({ $count })
bo-service-name = Nom du service
bo-service-name-hint = Tel que les habitants le verront, par exemple « État civil et citoyenneté ».
bo-service-slug = Nom court
bo-service-slug-hint = Minuscules sans accents, chiffres et tirets, par exemple etat-civil.
bo-service-email-hint = L'adresse de contact du service, communiquée aux habitants.
bo-service-phone = Téléphone
bo-service-new = Créer un service
bo-service-create = Créer le service
bo-service-created = Le service « { $name } » est créé.
bo-error-slug = Le nom court doit faire 2 à 40 caractères : minuscules sans accents, chiffres et tirets.
bo-error-slug-taken = Un service porte déjà ce nom court.
bo-error-service-name = Indiquez le nom du service (2 à 120 caractères).
field-current-password = Mot de passe actuel
password-change-title = Changer de mot de passe
password-change-back = Retour à mon espace
password-change-submit = Enregistrer le nouveau mot de passe
password-change-note = Vos autres connexions (sur un autre appareil, par exemple) seront fermées, et un courriel vous confirmera le changement.
password-change-wrong-current = Le mot de passe actuel n'est pas le bon.
password-change-done = Votre mot de passe est changé. Vos autres connexions ont été fermées.
mail-password-changed-subject = { $commune } : votre mot de passe a été changé
mail-password-changed-body =
    Bonjour,

    Le mot de passe de votre compte sur les services en ligne de { $commune } vient d'être changé.
    Si ce n'est pas vous, choisissez tout de suite un nouveau mot de passe ici, puis prévenez la mairie :

    { $link }

    Les services en ligne de { $commune }

## Teams inside a service
bo-teams-title = Équipes du service { $service }
bo-teams-text = Les équipes du service et leurs membres, vers lesquelles les demandes peuvent être orientées.
bo-teams-intro = Une équipe regroupe des agents du service (par secteur, par guichet) ; les règles d'orientation peuvent y adresser des demandes, et ses membres les retrouvent dans leur liste.
bo-teams-none = Ce service n'a pas encore d'équipe.
bo-teams-link = Équipes
bo-team-no-member = Aucun membre pour l'instant.
bo-team-remove = Retirer { $name } de l'équipe { $team }
bo-team-add-label = Agent du service à ajouter à l'équipe { $team }
bo-team-add = Ajouter à l'équipe { $team }
bo-team-new = Créer une équipe
bo-team-name = Nom de l'équipe
bo-team-name-hint = Par exemple « Équipe Nord » ou « Accueil ».
bo-team-slug-hint = Facultatif : tiré du nom s'il est laissé vide (minuscules sans accents, chiffres et tirets).
bo-team-create = Créer l'équipe
bo-team-created = L'équipe « { $name } » est créée.
bo-team-member-added = La personne a rejoint l'équipe « { $team } ».
bo-team-member-already = La personne faisait déjà partie de l'équipe « { $team } ».
bo-team-member-removed = La personne a quitté l'équipe « { $team } ».
bo-error-team-name = Indiquez le nom de l'équipe : 2 à 120 caractères, avec au moins une lettre ou un chiffre.
bo-error-team-name-taken = Une équipe porte déjà ce nom dans ce service : choisissez-en un autre.
bo-error-team-slug-taken = Une équipe a déjà ce nom court dans ce service : choisissez-en un autre.
bo-error-team-member = Choisissez un agent ou un responsable de ce service.
