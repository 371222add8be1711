# Administration of reports: categories and their questions, routing and districts,
# statistics and exports.

radm-back-home = Retour au back-office
radm-cancel = Annuler
radm-nav-label = Administration des signalements
radm-nav-categories = Catégories
radm-nav-routing = Orientation et quartiers
radm-nav-statistics = Statistiques
radm-bo-admin-title = Signalements : catégories et orientation
radm-bo-admin-text = Les catégories proposées aux habitants, leurs questions, les quartiers et l'équipe qui reçoit chaque signalement.
radm-bo-stats-title = Statistiques des signalements
radm-bo-stats-text = Signalements par catégorie, quartier, statut et mois, délais de prise en compte et de résolution, exports.

## Categories

radm-categories-title = Catégories de signalement
radm-categories-intro = Les catégories que les habitants choisissent en signalant un problème, et que les autres applications lisent en Open311. Une sous-catégorie appartient à une catégorie principale.
radm-categories-none = Aucune catégorie n'est encore définie.
radm-categories-caption = { $count ->
    [one] Une catégorie
   *[other] { $count } catégories
}
radm-category-new = Nouvelle catégorie
radm-col-category = Catégorie
radm-col-code = Code
radm-col-icon = Icône
radm-col-questions = Questions
radm-col-visibility = Visibilité
radm-col-state = État
radm-col-reports = Signalements
radm-sub-prefix = Sous-catégorie :
radm-private = Privée
radm-public = Publique
radm-active = Proposée
radm-inactive = Désactivée
radm-category-new-title = Nouvelle catégorie de signalement
radm-category-edit-title = Catégorie « { $name } »
radm-section-identity = Ce que les habitants lisent
radm-section-reporting = Au moment du signalement
radm-section-list = Place dans la liste
radm-field-name = Nom
radm-field-name-hint = Un nom simple, tel que les habitants le diraient : « Éclairage public ».
radm-field-code = Code
radm-field-code-hint = Lettres minuscules sans accent, chiffres et tirets, par exemple « eclairage-public ». C'est le code Open311 du service : il ne change plus dès qu'un signalement l'utilise.
radm-code-fixed = { $count ->
    [one] Un signalement utilise ce code : il ne peut plus changer.
   *[other] { $count } signalements utilisent ce code : il ne peut plus changer.
}
radm-field-description = Description
radm-field-description-hint = Une phrase d'exemples, affichée sous le nom (500 caractères au plus).
radm-field-icon = Icône
radm-field-icon-hint = Choisissez parmi les icônes fournies.
radm-icon-choose = Choisissez une icône
radm-field-parent = Catégorie principale
radm-field-parent-hint = Pour une sous-catégorie, la catégorie principale à laquelle elle appartient.
radm-parent-none = Aucune : c'est une catégorie principale
radm-field-keywords = Mots-clés
radm-field-keywords-hint = Séparés par des virgules : ils aident à trouver la catégorie (« trou, chaussée, route »).
radm-field-notice = Avertissement avant l'envoi
radm-field-notice-hint = Affiché avant l'envoi, par exemple « En cas de danger immédiat, appelez le 17. » (500 caractères au plus).
radm-field-radius = Rayon de recherche des doublons (mètres)
radm-field-radius-hint = Les signalements ouverts de la même catégorie dans ce rayon sont proposés avant l'envoi : entre 10 et 1 000 mètres.
radm-field-private = Catégorie privée
radm-field-private-hint = Ses signalements n'apparaissent ni sur la carte publique ni en Open311 (une personne en détresse, un tag portant un nom…).
radm-field-position = Position
radm-field-position-hint = Les plus petits nombres viennent en premier. Laissez vide pour la placer après les autres.
radm-field-active = Proposée aux habitants
radm-field-active-hint = Décochez pour ne plus la proposer : les signalements déjà faits restent.
radm-category-create = Créer la catégorie
radm-category-save = Enregistrer la catégorie
radm-category-created = La catégorie « { $name } » est créée.
radm-category-saved = La catégorie « { $name } » est enregistrée.
radm-error-code-missing = Indiquez le code de la catégorie.
radm-error-code-format = Le code ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets (par exemple « eclairage-public »), 50 caractères au plus.
radm-error-code-taken = Ce code est déjà celui d'une autre catégorie : choisissez-en un autre.
radm-error-code-locked = Des signalements utilisent déjà ce code : il ne peut plus changer.
radm-error-name-missing = Indiquez le nom de la catégorie.
radm-error-name-long = Le nom ne doit pas dépasser 100 caractères.
radm-error-description-long = La description ne doit pas dépasser 500 caractères.
radm-error-icon = Choisissez une icône dans la liste.
radm-error-parent-unknown = Cette catégorie principale n'existe pas : choisissez-en une dans la liste.
radm-error-parent-itself = Une catégorie ne peut pas être sa propre catégorie principale.
radm-error-parent-not-top = Choisissez une catégorie principale : une sous-catégorie ne peut pas en contenir d'autres.
radm-error-parent-has-children = Cette catégorie a des sous-catégories : elle reste une catégorie principale.
radm-error-keywords-long = Les mots-clés ne doivent pas dépasser 300 caractères.
radm-error-notice-long = L'avertissement ne doit pas dépasser 500 caractères.
radm-error-radius = Indiquez un rayon en mètres, nombre entier entre 10 et 1 000.
radm-error-position = Indiquez une position en nombre entier positif, ou laissez vide.
radm-icon-voirie = Voirie
radm-icon-eclairage = Éclairage
radm-icon-proprete = Propreté
radm-icon-espaces-verts = Espaces verts
radm-icon-mobilier = Mobilier urbain
radm-icon-tags = Tags
radm-icon-stationnement = Stationnement
radm-icon-eau = Eau
radm-icon-animaux = Animaux
radm-icon-bruit = Bruit
radm-icon-autre = Autre

## Questions

radm-questions-title = Questions supplémentaires
radm-questions-intro = Posées aux habitants après la description, et publiées en Open311 comme attributs du service.
radm-questions-after-create = Créez d'abord la catégorie : vous pourrez ensuite lui ajouter des questions.
radm-questions-none = Cette catégorie ne pose pas de question supplémentaire.
radm-q-required = obligatoire
radm-q-information = texte d'information
radm-q-values-count = { $count ->
    [one] un choix
   *[other] { $count } choix
}
radm-q-edit = Modifier la question { $n }
radm-q-up = Monter la question { $n }
radm-q-down = Descendre la question { $n }
radm-q-remove = Supprimer la question { $n }
radm-q-add = Ajouter une question
radm-q-back = Retour à la catégorie « { $category } »
radm-q-new-title = Nouvelle question pour « { $category } »
radm-q-edit-title = Question de « { $category } »
radm-q-field-text = Question
radm-q-field-text-hint = Telle que les habitants la liront : « Le trou présente-t-il un danger ? ». Pour un texte d'information, le texte affiché.
radm-q-field-code = Code
radm-q-field-code-hint = Lettres minuscules sans accent, chiffres, tirets ou soulignés : les réponses sont enregistrées sous ce code.
radm-q-code-fixed = Des signalements de cette catégorie existent : leurs réponses sont enregistrées sous ce code, il ne peut plus changer.
radm-q-field-type = Type de réponse
radm-q-field-type-hint = Pour une liste, indiquez ses choix ci-dessous.
radm-q-field-values = Choix de la liste
radm-q-field-values-hint = Un choix par ligne, sous la forme « code | libellé » (par exemple « sac | Un ou deux sacs ») ; un libellé seul reçoit un code tiré de son texte. Seulement pour les listes.
radm-q-field-hint = Aide
radm-q-field-hint-hint = Une précision sur la réponse attendue, affichée sous la question.
radm-q-field-options = Options
radm-q-field-required = Réponse obligatoire
radm-q-field-information = Texte d'information seulement (pas de réponse)
radm-q-field-information-hint = Affiché avec les questions, sans champ de réponse.
radm-q-create = Ajouter la question
radm-q-save = Enregistrer la question
radm-q-added = La question est ajoutée.
radm-q-saved = La question est enregistrée.
radm-q-removed = La question est supprimée. Les réponses déjà données restent dans les signalements.
radm-q-moved = La question est déplacée.
radm-q-not-moved = La question est déjà à cette place.
radm-q-error-code-missing = Indiquez le code de la question.
radm-q-error-code-format = Le code ne peut contenir que des lettres minuscules sans accent, des chiffres, des tirets ou des soulignés, 50 caractères au plus.
radm-q-error-code-taken = Une autre question de cette catégorie a déjà ce code.
radm-q-error-code-locked = Des signalements de cette catégorie existent : le code de la question ne peut plus changer.
radm-q-error-text-missing = Indiquez le texte de la question.
radm-q-error-text-long = La question ne doit pas dépasser 300 caractères.
radm-q-error-type = Choisissez un type de réponse dans la liste.
radm-q-error-hint-long = L'aide ne doit pas dépasser 500 caractères.
radm-q-error-information-required = Un texte d'information n'attend pas de réponse : il ne peut pas être obligatoire.
radm-q-error-list-empty = Une liste a besoin d'au moins un choix : indiquez-les, un par ligne.
radm-q-error-values-not-list = Seules les listes ont des choix : videz la zone des choix ou choisissez un type de liste.
radm-q-error-values-many = Une liste ne peut pas avoir plus de 100 choix.
radm-q-error-value-key = Ligne { $line } : le code « { $key } » ne peut contenir que des lettres minuscules sans accent, des chiffres, des tirets ou des soulignés.
radm-q-error-value-name = Ligne { $line } : indiquez le libellé après la barre « | ».
radm-q-error-value-name-long = Ligne { $line } : le libellé ne doit pas dépasser 200 caractères.
radm-q-error-value-duplicate = Ligne { $line } : le code « { $key } » est déjà celui d'un autre choix.
radm-type-string = Texte court
radm-type-text = Texte long
radm-type-number = Nombre
radm-type-datetime = Date ou date et heure
radm-type-singlevaluelist = Liste, un seul choix
radm-type-multivaluelist = Liste, plusieurs choix

## Routing and districts

radm-routing-title = Orientation des signalements
radm-routing-intro = Chaque signalement va au service et à l'équipe de la première règle qui lui correspond, selon sa catégorie et son quartier.
radm-rules-title = Règles d'orientation
radm-rules-intro = Une règle sur une catégorie passe avant les règles sur « toutes les catégories » ; une règle sur une catégorie principale vaut aussi pour ses sous-catégories.
radm-rules-none = Aucune règle : les signalements arrivent sans service.
radm-rule-when = { $category }, { $district } :
radm-rule-goes-to = va à
radm-rule-agency = transmis à { $agency }
radm-rule-any-category = Toutes les catégories
radm-rule-any-district = Tout le territoire
radm-rule-up = Monter la règle { $n }
radm-rule-down = Descendre la règle { $n }
radm-rule-remove = Retirer la règle { $n }
radm-rule-add-title = Ajouter une règle
radm-rule-field-category = Catégorie
radm-rule-field-category-hint = « Toutes les catégories » pour une règle par quartier seulement.
radm-rule-field-district = Quartier
radm-rule-field-service = Service
radm-rule-service-choose = Choisissez un service
radm-rule-field-team = Équipe
radm-rule-field-team-hint = Une équipe du service choisi, ou aucune : tout le service reçoit alors le signalement.
radm-rule-team-none = Aucune équipe en particulier
radm-rule-field-agency = Organisme extérieur
radm-rule-field-agency-hint = S'il traite ces signalements à la place de la mairie (la métropole pour l'eau…) : son nom est indiqué à l'auteur.
radm-rule-field-place = Place de la règle
radm-rule-place-last = En dernier
radm-rule-place-first = En premier
radm-rule-add = Ajouter la règle
radm-rule-added = La règle est ajoutée.
radm-rule-moved = La règle est déplacée.
radm-rule-removed = La règle est retirée.
radm-rule-stale = Cette règle n'existe plus ou ne peut pas aller plus loin : la liste a peut-être changé entre-temps. Voici les règles actuelles.
radm-rule-error-category = Cette catégorie n'existe pas : choisissez-en une dans la liste.
radm-rule-error-district = Ce quartier n'existe pas : choisissez-en un dans la liste.
radm-rule-error-service-missing = Choisissez le service qui reçoit ces signalements.
radm-rule-error-service-unknown = Ce service n'existe pas : choisissez-en un dans la liste.
radm-rule-error-team = Cette équipe n'appartient pas au service choisi.
radm-rule-error-agency = Le nom de l'organisme ne doit pas dépasser 200 caractères.
radm-rule-error-duplicate = Une règle existe déjà pour cette catégorie et ce quartier : l'une des deux ne servirait jamais. Retirez l'ancienne d'abord.
radm-preview-title = Où va un signalement ?
radm-preview-intro = Choisissez une catégorie et un quartier pour voir où les règles actuelles enverraient un signalement.
radm-preview-category = Catégorie
radm-preview-choose = Choisissez une catégorie
radm-preview-district = Quartier
radm-preview-no-district = hors de tout quartier
radm-preview-submit = Voir la destination
radm-preview-report = Un signalement « { $category } » à « { $district } » va à :
radm-preview-report-outside = Un signalement « { $category } » hors de tout quartier va à :
radm-preview-team = { $service } — { $team }
radm-preview-agency = { $service }, transmis à { $agency }
radm-preview-nowhere = aucune règle ne s'applique, il arriverait sans service.
radm-preview-error-category = Choisissez la catégorie du signalement.
radm-preview-error-district = Ce quartier n'existe pas : choisissez-en un dans la liste.
radm-districts-title = Quartiers
radm-districts-intro = Les quartiers placent chaque signalement ; un point hors de tous les quartiers est refusé comme hors de la commune.
radm-districts-none = Aucun quartier : tous les points sont acceptés et seules les règles sur « tout le territoire » s'appliquent.
radm-districts-caption = { $count ->
    [one] Un quartier
   *[other] { $count } quartiers
}
radm-col-district = Quartier
radm-col-slug = Identifiant
radm-col-rules = Règles
radm-col-actions = Actions
radm-district-delete = Supprimer le quartier « { $name } »
radm-district-in-use = Utilisé par des règles
radm-district-used = { $count ->
    [one] Une règle d'orientation utilise ce quartier : retirez-la avant de le supprimer.
   *[other] { $count } règles d'orientation utilisent ce quartier : retirez-les avant de le supprimer.
}
radm-district-deleted = { $count ->
    [0] Le quartier « { $name } » est supprimé.
    [one] Le quartier « { $name } » est supprimé ; un signalement qui s'y trouvait n'a plus de quartier.
   *[other] Le quartier « { $name } » est supprimé ; { $count } signalements qui s'y trouvaient n'ont plus de quartier.
}
radm-import-title = Importer des quartiers
radm-import-intro = Un fichier GeoJSON (FeatureCollection) dont chaque élément est un polygone ou un multipolygone, avec le nom du quartier dans ses propriétés. Un quartier de même identifiant (tiré du nom) est remplacé ; au moindre problème, rien n'est importé.
radm-import-file = Fichier GeoJSON
radm-import-file-hint = Au format .geojson ou .json, 5 Mo au plus.
radm-import-property = Propriété du nom
radm-import-property-hint = La propriété qui porte le nom de chaque quartier. Laissez vide pour « nom », ou à défaut « name ».
radm-import-submit = Importer les quartiers
radm-import-done = { $count ->
    [one] Un quartier importé : { $created } nouveau, { $replaced } remplacé.
   *[other] { $count } quartiers importés : { $created } nouveaux, { $replaced } remplacés.
}
radm-import-refused = { $count ->
    [one] Le fichier n'est pas importé, rien n'a changé. Un problème est à corriger :
   *[other] Le fichier n'est pas importé, rien n'a changé. { $count } problèmes sont à corriger :
}
radm-import-no-file = Choisissez le fichier GeoJSON des quartiers.
radm-import-too-large = Le fichier dépasse 5 Mo : ce n'est sans doute pas un fichier de quartiers.
radm-import-not-text = Le fichier n'est pas un texte en UTF-8 : enregistrez-le en GeoJSON depuis votre logiciel de cartographie.
radm-import-empty = Le fichier est vide.
radm-import-syntax = Le fichier n'est pas du JSON valide : erreur ligne { $line }, colonne { $column }.
radm-import-not-collection = Le fichier doit être une « FeatureCollection » GeoJSON, avec une liste « features ».
radm-import-no-features = Le fichier ne contient aucun quartier.
radm-import-too-many = Le fichier contient { $count } éléments : { $max } au plus sont acceptés.
radm-import-feature = Élément { $number } (ligne { $line }) : { $detail }
radm-import-not-feature = ce n'est pas un « Feature » GeoJSON.
radm-import-no-geometry = il n'a pas de géométrie.
radm-import-geometry-type = sa géométrie est de type « { $kind } », un « Polygon » ou un « MultiPolygon » est attendu.
radm-import-shape = ses coordonnées ne sont pas des listes de points comme son type l'exige.
radm-import-place = polygone { $polygon }, contour { $ring }, point { $position }
radm-import-position = un point n'est pas une paire de nombres ({ $place }).
radm-import-out-of-range = un point est hors des limites, longitude entre -180 et 180 puis latitude entre -90 et 90 ({ $place }).
radm-import-too-few = le contour { $ring } du polygone { $polygon } a moins de trois points distincts.
radm-import-no-area = le polygone { $polygon } n'a pas de surface (ses points sont alignés).
radm-import-no-name = aucun nom dans les propriétés « { $properties } ».
radm-import-name-long = son nom dépasse 100 caractères.
radm-import-no-slug = son nom « { $name } » ne donne aucun identifiant (il ne contient ni lettre ni chiffre).
radm-import-duplicate = il a le même identifiant « { $slug } » que l'élément { $first }.
radm-point-title = À quel quartier appartient ce point ?
radm-point-lat = Latitude
radm-point-lat-hint = En degrés décimaux, par exemple 45,7641.
radm-point-lon = Longitude
radm-point-lon-hint = En degrés décimaux, par exemple 4,8357.
radm-point-submit = Chercher le quartier
radm-point-in = Ce point est dans le quartier « { $name } ».
radm-point-outside = Ce point n'est dans aucun quartier : un signalement à cet endroit serait refusé comme hors de la commune.
radm-point-no-districts = Aucun quartier n'est défini : un signalement serait accepté à cet endroit, sans quartier.
radm-point-error-lat-missing = Indiquez la latitude.
radm-point-error-lat = La latitude est un nombre entre -90 et 90, par exemple 45,7641.
radm-point-error-lon-missing = Indiquez la longitude.
radm-point-error-lon = La longitude est un nombre entre -180 et 180, par exemple 4,8357.

## Statistics and exports

rstat-title = Statistiques des signalements
rstat-intro = Tous les signalements de la commune, selon les filtres choisis.
rstat-limited = Les signalements des services que vous dirigez, selon les filtres choisis.
rstat-period = Période de dépôt
rstat-from = Du
rstat-until = Au
rstat-date-hint = Au format AAAA-MM-JJ. Par défaut, les douze derniers mois.
rstat-category = Catégorie
rstat-any-category = Toutes les catégories
rstat-status = Statut
rstat-any-status = Tous les statuts
rstat-district = Quartier
rstat-any-district = Tous les quartiers
rstat-apply = Afficher
rstat-summary = En résumé
rstat-total = Signalements
rstat-median-acknowledge = Délai médian de prise en compte
rstat-median-resolve = Délai médian de résolution
rstat-export-csv = Télécharger ces signalements en CSV (tableur)
rstat-export-geojson = Télécharger ces signalements en GeoJSON (cartographie)
rstat-by-status = Par statut
rstat-by-category = Par catégorie
rstat-by-district = Par quartier
rstat-by-month = Par mois de dépôt (douze mois)
rstat-label = Libellé
rstat-count = Nombre
rstat-empty = Aucun signalement.
rstat-no-district = Hors quartier
rstat-delays-title = Délais par catégorie
rstat-delays-caption = Délais médians depuis le dépôt, par catégorie
rstat-delays-none = Aucun signalement pris en compte sur la période.
rstat-col-category = Catégorie
rstat-col-acknowledged = Pris en compte
rstat-col-to-acknowledge = Délai médian de prise en compte
rstat-col-resolved = Résolus
rstat-col-to-resolve = Délai médian de résolution
rstat-no-delay = —
rstat-duration-minutes = { $minutes } min
rstat-duration-hours = { $hours } h { $minutes } min
rstat-duration-days = { $days } j { $hours } h
rstat-month-label = { $month } { $year }
rstat-month-1 = janvier
rstat-month-2 = février
rstat-month-3 = mars
rstat-month-4 = avril
rstat-month-5 = mai
rstat-month-6 = juin
rstat-month-7 = juillet
rstat-month-8 = août
rstat-month-9 = septembre
rstat-month-10 = octobre
rstat-month-11 = novembre
rstat-month-12 = décembre
rstat-source-web = En ligne
rstat-source-open311 = Open311
rstat-source-counter = Accueil
rstat-error-date = Indiquez une date au format AAAA-MM-JJ, par exemple 2026-01-31.
rstat-error-period = La fin de la période doit venir après son début.
rstat-error-category = Cette catégorie n'existe pas : choisissez-en une dans la liste.
rstat-error-status = Ce statut n'existe pas : choisissez-en un dans la liste.
rstat-error-district = Ce quartier n'existe pas : choisissez-en un dans la liste.
