# Reporting a problem and following it (residents)

## The step-by-step form
report-new-title = Signaler un problème
report-new-steps-label = Étapes du signalement
report-new-step-of = Étape { $step } sur { $steps }
report-new-step-1 = Le problème
report-new-step-2 = Le lieu
report-new-step-3 = Les détails
report-new-step-4 = Vérifier et envoyer
report-new-error-prefix = Erreur :
report-new-intro = Quelques questions suffisent, avec ou sans compte. Vous pouvez revenir en arrière à tout moment sans rien perdre.
report-new-required-legend = Les champs marqués d'un astérisque (*) sont obligatoires.
report-new-next = Suivant
report-new-previous = Précédent
report-new-category-legend = Quel est le problème ?
report-new-category-missing = Choisissez le type de problème dans la liste.
report-new-chosen-category = Problème : { $category }
report-new-change-category = Modifier le type de problème
report-new-change-place = Modifier le lieu
report-new-change-details = Modifier les détails
report-new-sub-category-legend = Précisez le problème
report-new-sub-category-missing = Précisez le problème en choisissant une des propositions.
report-new-place-legend = Où se trouve le problème ?
report-new-place-chosen = Lieu retenu : { $place }
report-new-address-label = Adresse ou lieu
report-new-address-hint = Par exemple : 12 rue de la République, ou le nom de la rue la plus proche. Puis choisissez l'adresse dans la liste.
report-new-address-search = Rechercher l'adresse
report-new-address-empty = Saisissez une adresse ou le nom d'une rue avant de lancer la recherche.
report-new-address-none = Aucune adresse trouvée pour « { $query } ». Vérifiez l'orthographe, ou indiquez la rue la plus proche.
report-new-found-legend = Choisissez l'adresse
report-new-place-choose = Plusieurs adresses correspondent : choisissez la bonne dans la liste.
report-new-place-missing = Indiquez le lieu : saisissez une adresse, placez un point sur la carte ou utilisez votre position.
report-new-place-outside = Ce lieu est en dehors de la commune : la mairie ne peut pas traiter ce signalement. Adressez-vous à la commune concernée.
report-new-place-pin = Point placé sur la carte ({ $lat }, { $lon })
report-new-place-near = Près de { $street }
report-new-my-position = Utiliser ma position
report-new-description-label = Description du problème
report-new-description-hint = Ce que vous voyez, depuis quand, ce qui est gênant ou dangereux. Ne mentionnez ni nom ni plaque d'immatriculation.
report-new-datetime-hint = Par exemple : 2026-11-23T08:30 (date, puis heure).
report-new-select-one = Choisissez une réponse
report-new-photos-attached = Photos jointes (cochez celles à retirer)
report-new-photo-item = Photo { $n } ({ $width } × { $height } pixels)
report-new-photo-remove = Retirer la { $photo }
report-new-photos-label = Ajouter des photos (facultatif)
report-new-photos-hint = Encore { $count } au plus. Formats JPEG, PNG ou WebP. Les informations cachées dans les photos (lieu, appareil, date) sont supprimées avant l'enregistrement.
report-new-photos-full = Vous avez joint le nombre maximal de photos. Retirez-en une pour en ajouter une autre.
report-new-photos-too-many = Ajoutez au plus { $max } photos.
report-new-photo-position-label = Utiliser la position de la photo
report-new-photo-position-hint = Si votre téléphone a enregistré l'endroit de la prise de vue, il remplace le lieu choisi. La photo n'est lue pour cela que si vous cochez cette case.
report-new-photo-position-none = Aucune position n'a été trouvée dans les photos ajoutées avec cette case cochée. Décochez-la pour garder le lieu choisi à l'étape précédente.
report-new-photo-position-outside = La position enregistrée dans la photo est en dehors de la commune : le lieu choisi est conservé. Décochez la case pour continuer.
report-new-photo-place = Position lue sur la photo
report-new-photo-lost = Une photo n'est plus disponible après une longue attente : ajoutez-la de nouveau.
report-new-email-label = Votre adresse électronique (facultatif)
report-new-email-hint = Pour être informé(e) par courriel de chaque étape du traitement.
report-new-privacy-note = Sans compte, la mairie ne conserve ni votre nom, ni votre adresse IP. Votre adresse électronique, si vous la donnez, sert uniquement à vous tenir informé(e) de ce signalement. Dans tous les cas, vous recevrez un lien de suivi personnel.
report-new-logged-in-note = Vous êtes connecté(e) : ce signalement apparaîtra dans « Mon espace » et vous serez informé(e) par courriel de son traitement.
report-new-summary = Votre signalement
report-new-summary-category = Problème
report-new-summary-place = Lieu
report-new-summary-description = Description
report-new-summary-none = Aucune
report-new-summary-photos = Photos
report-new-summary-photo-count = { $count ->
    [0] Aucune photo
    [one] Une photo
   *[other] { $count } photos
}
report-new-summary-email = Courriel pour le suivi
report-new-summary-no-email = Aucun : gardez le lien de suivi qui s'affichera après l'envoi
report-new-duplicates-heading = Déjà signalé près d'ici ?
report-new-duplicates-none = Aucun signalement semblable n'a été fait près d'ici ces 30 derniers jours.
report-new-duplicates-private = Ce type de problème n'est pas public : il sera transmis directement au service concerné.
report-new-duplicates-intro = Ces signalements du même type, encore en cours, ont été faits tout près ces 30 derniers jours. S'il s'agit du même problème, dites « Moi aussi » : votre soutien est compté et vous serez informé(e) de son traitement, sans créer de doublon.
report-new-duplicate-distance = À { $metres } m
report-new-duplicate-filed = signalé le { $date }
report-new-me-too = Moi aussi
report-new-send = Envoyer le signalement
report-new-send-anyway = Envoyer un nouveau signalement
report-new-too-many = Vous avez envoyé beaucoup de signalements en peu de temps. Patientez une heure, ou créez un compte, puis envoyez de nouveau : votre signalement est conservé.
report-me-too-count = { $count ->
    [one] une personne a dit « moi aussi »
   *[other] { $count } personnes ont dit « moi aussi »
}

## After sending
report-filed-title = Signalement envoyé
report-filed-done = Merci ! Votre signalement { $reference } est bien envoyé.
report-filed-reference = Référence
report-filed-agency = { $agency } (la mairie lui transmet votre signalement)
report-filed-link-heading = Votre lien de suivi
report-filed-link-intro = Ce lien ouvre la page de suivi de votre signalement, mise à jour en direct. Enregistrez-le dans vos favoris, copiez-le ou faites une capture d'écran.
report-filed-link-only-key = Gardez ce lien : c'est la seule clé de votre signalement. La mairie ne connaît pas votre nom et ne pourra pas vous le redonner.
report-filed-link-account = Vous retrouverez aussi ce signalement dans « Mes signalements », depuis votre espace.
report-filed-open-tracking = Ouvrir la page de suivi
report-filed-open-mine = Voir dans « Mes signalements »
report-filed-another = Signaler un autre problème
report-followed-title = Merci, c'est noté
report-followed-done = Votre « moi aussi » sur le signalement { $reference } est compté.

## « Moi aussi »
report-metoo-title = Moi aussi : signalement { $reference }
report-metoo-intro = Votre soutien est compté et vous serez informé(e) du traitement. Sans compte, indiquez votre adresse électronique si vous souhaitez recevoir les nouvelles par courriel.
report-metoo-counted = Votre « moi aussi » est compté : vous serez informé(e) du traitement de ce signalement.
report-metoo-already = Vous suivez déjà ce signalement : votre soutien n'est compté qu'une fois.
report-metoo-already-email = Cette adresse électronique suit déjà ce signalement : le lien de suivi lui a été envoyé.

## Tracking page
report-track-title = Signalement { $reference }
report-track-live-changed = Le signalement vient d'être mis à jour. Nouveau statut :
report-track-status = Statut
report-track-since = depuis le { $date }
report-track-planned = Intervention prévue le
report-track-merged-into = Regroupé avec le signalement
report-track-handled-by = Pris en charge par
report-track-agency = Organisme compétent
report-track-me-too = Soutiens
report-track-history = Suivi
report-track-history-filed = Signalement reçu
report-track-history-status = Nouveau statut : { $status }
report-track-history-merged = Regroupé avec un signalement du même problème
report-track-history-planned = Intervention planifiée
report-track-history-message = Message de la mairie
report-track-fix-photo = Photo de l'intervention { $n }
report-track-details = Le signalement
report-track-filed-on = Signalé le
report-track-place = Lieu
report-track-place-map = Point placé sur la carte
report-track-district = quartier { $district }
report-track-description = Description
report-track-moderated = Ce texte n'est plus visible du public : la mairie l'a masqué (visage, plaque, propos). Vous seul(e) le voyez ici.
report-track-photo = Photo jointe au signalement { $n }
report-track-photos = Photos

## The resident's reports
report-mine-title = Mes signalements
report-mine-new = Signaler un problème
report-mine-all = Tous mes signalements
report-mine-none = Aucun signalement pour l'instant.
report-mine-filed = Les signalements que j'ai faits
report-mine-followed = Les signalements que je suis
report-mine-col-reference = Référence
report-mine-col-category = Problème
report-mine-col-date = Signalé le
report-mine-col-status = Statut
report-mine-space-item = { $reference } — { $category } : { $status }
