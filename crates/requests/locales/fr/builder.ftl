# The form builder in the back office.
builder-title = Formulaire de la démarche « { $procedure } »
builder-all-procedures = Toutes les démarches
builder-back-to-procedure = Retour à la démarche « { $title } »
builder-back-to-form = Retour au formulaire
builder-versions = Versions du formulaire
builder-versions-caption = Chaque version publiée reste attachée aux demandes déposées avec elle.
builder-no-version = Aucune version pour l'instant.
builder-col-version = Version
builder-col-state = État
builder-col-created = Créée
builder-col-changed = Dernière modification
builder-col-published = Publiée
builder-state-draft = Brouillon (en cours de modification)
builder-state-published = Publiée (utilisée pour les nouvelles demandes)
builder-state-retired = Remplacée
builder-when-by = { $when } par { $who }
builder-editing = Contenu du formulaire
builder-editing-draft = Vous modifiez le brouillon de la version { $version }. Les demandeurs ne le voient qu'une fois publié.
builder-no-draft = Le formulaire ci-dessous est la version publiée { $version }. Votre première modification crée une nouvelle version en brouillon : la version publiée ne change pas.
builder-no-form = Cette démarche n'a pas encore de formulaire. Ajoutez une page pour commencer : un brouillon est créé.
builder-new-version = Créer une nouvelle version
builder-draft-opened = Le brouillon de la version { $version } est ouvert.
builder-preview-link = Voir l'aperçu
builder-publish-link = Publier la version { $version }
builder-import-link = Importer un formulaire (JSON)
builder-export-link = Exporter la démarche (JSON)
builder-unfinished = Avant de pouvoir publier :
builder-page-heading = Page { $number } : { $title }
builder-page-empty = Cette page n'a encore aucun bloc.
builder-edit-page = Modifier la page { $number }
builder-delete-page = Supprimer la page { $number }
builder-move-up = Monter
builder-move-down = Descendre
builder-move-up-named = Monter « { $name } »
builder-move-down-named = Descendre « { $name } »
builder-edit = Modifier
builder-edit-named = Modifier « { $name } »
builder-delete = Supprimer
builder-delete-named = Supprimer « { $name } »
builder-block-title = Titre
builder-block-explanation = Explication
builder-block-field = Champ
builder-block-field-of-type = Champ : { $type }
builder-field-facts = { $type }, clé « { $key } »
builder-required = obligatoire
builder-prefilled = prérempli : { $what }
builder-shown-if = Affiché seulement si « { $field } » est « { $value } ».
builder-add-block-to = Ajouter un bloc à la page « { $title } »
builder-add-block = Ajouter ce bloc
builder-add-page = Ajouter une page
builder-page-title = Titre de la page
builder-page-title-hint = Par exemple : Votre demande, Vos coordonnées, Pièces justificatives.
builder-add-page-submit = Ajouter la page
builder-page-added = La page « { $title } » est ajoutée au brouillon.
builder-page-moved = La page { $number } est déplacée.
builder-block-moved = Le bloc est déplacé.
builder-block-deleted = Le bloc est supprimé du brouillon.
builder-saved = Modification enregistrée dans le brouillon de la version { $version }.
builder-save = Enregistrer
builder-save-field = Enregistrer le champ
builder-cancel = Annuler
builder-problems-intro = Le formulaire ne serait plus correct après cette modification : rien n'a été enregistré.
builder-delete-page-question = Supprimer la page { $number } « { $title } » ?
builder-delete-page-fields = Ces champs seront supprimés avec elle :
builder-delete-page-no-field = Cette page ne contient aucun champ.
builder-delete-page-draft = La suppression ne touche que le brouillon : les demandes déjà déposées gardent leur version du formulaire.
builder-delete-page-confirm = Oui, supprimer la page { $number }
builder-on-page-number = Page { $number } : { $title }
builder-on-page-only = Page { $number }
builder-text-title-new = Nouveau titre
builder-text-title-edit = Modifier le titre
builder-text-explanation-new = Nouvelle explication
builder-text-explanation-edit = Modifier l'explication
builder-text = Texte
builder-field-new-title = Nouveau champ
builder-field-edit-title = Modifier le champ « { $key } »
builder-field-label = Libellé
builder-field-label-hint = Ce que lit le demandeur, par exemple : Date de l'événement.
builder-field-key = Clé
builder-field-key-hint = Le nom de la réponse dans les exports : lettres minuscules sans accent, chiffres et « _ », en commençant par une lettre. Laissez vide pour la déduire du libellé.
builder-field-type = Type de champ
builder-field-required = Réponse obligatoire
builder-field-help = Texte d'aide
builder-field-help-hint = Affiché sous le libellé : un exemple, où trouver l'information.
builder-field-length = Longueur de la réponse (texte court, texte long)
builder-field-min-length = Nombre de caractères au moins
builder-field-min-length-hint = Texte court seulement. Laissez vide : pas de minimum.
builder-field-max-length = Nombre de caractères au plus
builder-field-max-length-hint = Laissez vide : pas de maximum.
builder-field-bounds = Valeur (nombre)
builder-field-min = Minimum
builder-field-max = Maximum
builder-field-bounds-hint = Un nombre entier ; laissez vide : pas de limite.
builder-field-format = Format imposé (texte court)
builder-field-pattern = Motif (expression régulière)
builder-field-pattern-hint = La réponse entière doit correspondre, par exemple [0-9]{"{"}5{"}"} pour un code postal.
builder-field-pattern-message = Message si la réponse ne correspond pas
builder-field-pattern-message-hint = Par exemple : Le code postal compte 5 chiffres.
builder-field-options = Réponses proposées (choix unique, choix multiple)
builder-field-options-hint = Une réponse par ligne.
builder-field-prefill = Préremplir avec
builder-field-prefill-hint = Ce que la commune sait déjà du demandeur : il n'a pas à le redire, et peut le corriger.
builder-prefill-none = Ne pas préremplir
builder-prefill-given-name = son prénom
builder-prefill-family-name = son nom
builder-prefill-email = son adresse électronique
builder-prefill-phone = son téléphone
builder-prefill-postal-address = son adresse postale
builder-condition-legend = Afficher seulement si
builder-condition-label = Réponse attendue à un champ placé avant
builder-condition-hint = Laissez « Toujours afficher » si la condition n'est pas utile.
builder-condition-always = Toujours afficher
builder-condition-is = « { $label } » est « { $value } »
builder-condition-checked = « { $label } » est coché
builder-condition-typed = « { $label } » a la valeur saisie ci-dessous
builder-condition-value = Valeur attendue
builder-condition-value-hint = Seulement pour un champ sans réponses proposées.
builder-condition-none = Aucun champ n'est placé avant : pas de condition possible ici.
builder-type-short-text = Texte court
builder-type-long-text = Texte long
builder-type-number = Nombre
builder-type-date = Date
builder-type-email = Adresse électronique
builder-type-phone = Téléphone
builder-type-postal-address = Adresse postale
builder-type-single-choice = Choix unique
builder-type-multiple-choice = Choix multiple
builder-type-checkbox = Case à cocher
builder-type-file = Pièce jointe
builder-rule-min-length = au moins { $value } caractères
builder-rule-max-length = au plus { $value } caractères
builder-rule-min = au moins { $value }
builder-rule-max = au plus { $value }
builder-rule-pattern = format { $pattern } (« { $message } »)
builder-rule-options = réponses : { $options }
builder-rule-help = aide : { $help }
builder-at-page = de la page { $number } (« { $title } »)
builder-at-field = du champ « { $label } »
builder-problem-no-page = Le formulaire n'a encore aucune page.
builder-problem-empty-page = La page { $number } (« { $title } ») n'a encore aucun bloc.
builder-problem-bad-key = La clé « { $key } » ne convient pas : lettres minuscules sans accent, chiffres et « _ », en commençant par une lettre.
builder-problem-duplicate-key = La clé « { $key } » est utilisée par deux champs.
builder-problem-no-options = Le champ « { $label } » ne propose aucune réponse.
builder-problem-condition-later = La condition { $at } porte sur « { $field } », qui est placé après : une condition ne peut porter que sur un champ placé avant.
builder-problem-condition-unknown = La condition { $at } porte sur le champ « { $field } », qui n'existe pas ou plus dans le formulaire.
builder-problem-condition-value = La condition { $at } attend la réponse « { $value } », que le champ « { $field } » ne propose pas.
builder-problem-bad-pattern = Le motif du champ « { $label } » n'est pas une expression régulière valide.
builder-problem-bad-bounds = Le champ « { $label } » a un minimum plus grand que son maximum.
builder-error-page-title = Donnez un titre à la page (150 caractères au plus).
builder-error-text = Écrivez le texte (2 000 caractères au plus).
builder-error-label = Écrivez le libellé du champ (200 caractères au plus).
builder-error-key = La clé « { $key } » ne convient pas : lettres minuscules sans accent, chiffres et « _ », en commençant par une lettre, 60 caractères au plus.
builder-error-key-taken = La clé « { $key } » est déjà celle du champ « { $label } » : choisissez-en une autre.
builder-error-type = Choisissez un type de champ.
builder-error-number = Saisissez un nombre entier, ou laissez vide.
builder-error-bounds = Le minimum doit être inférieur ou égal au maximum.
builder-error-pattern = Ce motif n'est pas une expression régulière valide.
builder-error-pattern-message = Écrivez le message montré au demandeur quand sa réponse ne correspond pas au motif.
builder-error-options = Écrivez au moins une réponse proposée, une par ligne.
builder-error-option-twice = La réponse « { $option } » est écrite deux fois.
builder-error-help = Le texte d'aide compte 1 000 caractères au plus.
builder-error-prefill = Choisissez l'une des informations proposées.
builder-error-condition-field = Choisissez un champ placé avant dans la liste.
builder-error-condition-later = La condition porte sur « { $field } », qui est placé après : une condition ne peut porter que sur un champ placé avant.
builder-error-condition-unknown = La condition porte sur le champ « { $field } », qui n'existe pas ou plus dans le formulaire.
builder-error-condition-value = Indiquez la valeur attendue.
builder-error-condition-not-offered = Le champ « { $field } » ne propose pas la réponse « { $value } ».
builder-error-stale = Le brouillon a changé depuis que vous avez affiché cette page : relisez les différences ci-dessous avant de publier.
builder-error-changed = Le formulaire a changé depuis l'affichage de cette page : rechargez-la.
builder-error-no-draft = Il n'y a pas de brouillon à publier : modifiez d'abord le formulaire ou créez une nouvelle version.
builder-preview-title = Aperçu du formulaire
builder-preview-draft = Le brouillon de la version { $version }, tel que le verra le demandeur.
builder-preview-published = La version publiée { $version }, telle que la voit le demandeur.
builder-preview-note = Aperçu seulement : rien ne peut être envoyé depuis cette page. Toutes les pages et tous les champs sont montrés, avec leurs conditions ; le demandeur ne voit que ceux qui le concernent.
builder-publish-title = Publier le formulaire
builder-publish-heading = Publier la version { $version }
builder-diff-intro = Ce que la version { $version } change par rapport à la version publiée { $old }.
builder-diff-first = La version { $version } sera la première publiée : tout y est nouveau.
builder-diff-title = Différences
builder-diff-none = Aucune différence avec la version publiée.
builder-diff-pages-added = { $count ->
    [one] Page ajoutée
   *[other] Pages ajoutées ({ $count })
}
builder-diff-pages-removed = { $count ->
    [one] Page retirée
   *[other] Pages retirées ({ $count })
}
builder-diff-pages-changed = { $count ->
    [one] Page modifiée
   *[other] Pages modifiées ({ $count })
}
builder-diff-fields-added = { $count ->
    [one] Champ ajouté
   *[other] Champs ajoutés ({ $count })
}
builder-diff-fields-removed = { $count ->
    [one] Champ retiré
   *[other] Champs retirés ({ $count })
}
builder-diff-fields-changed = { $count ->
    [one] Champ modifié
   *[other] Champs modifiés ({ $count })
}
builder-diff-pages-moved = { $count ->
    [one] Page déplacée
   *[other] Pages déplacées ({ $count })
}
builder-diff-blocks-moved = { $count ->
    [one] Bloc déplacé dans sa page
   *[other] Blocs déplacés dans leur page ({ $count })
}
builder-page-moved-from-to = La page « { $title } » passe de la position { $from } à { $to }.
builder-field-moved-from-to = Le champ « { $name } » ({ $key }) passe de la position { $from } à { $to } sur la page « { $page } ».
builder-text-moved-from-to = Le texte « { $name } » passe de la position { $from } à { $to } sur la page « { $page } ».
builder-renamed = « { $old } » devenue « { $new } »
builder-field-named = « { $label } » ({ $key })
builder-field-renamed = « { $old } » devenu « { $label } » ({ $key })
builder-on-page = page « { $title } »
builder-aspect-label = libellé
builder-aspect-type = type
builder-aspect-required = caractère obligatoire
builder-aspect-validation = contrôles de la réponse
builder-aspect-options = réponses proposées
builder-aspect-condition = condition d'affichage
builder-aspect-help = texte d'aide
builder-aspect-prefill = préremplissage
builder-aspect-page = déplacé sur une autre page
builder-page-aspect-title = titre
builder-page-aspect-condition = condition d'affichage
builder-page-aspect-texts = titres et explications
builder-page-aspect-order = ordre des blocs
builder-in-progress-title = Demandes en cours
builder-in-progress-open = { $count ->
    [0] Aucune demande déposée et pas encore décidée n'utilise la version { $old }.
    [one] 1 demande déposée et pas encore décidée utilise la version { $old }.
   *[other] { $count } demandes déposées et pas encore décidées utilisent la version { $old }.
}
builder-in-progress-drafts = { $count ->
    [0] Aucun brouillon de demandeur n'utilise la version { $old }.
    [one] 1 brouillon de demandeur utilise la version { $old }.
   *[other] { $count } brouillons de demandeurs utilisent la version { $old }.
}
builder-in-progress-keep = Elles gardent la version { $old } jusqu'au bout : seules les demandes commencées après la publication utiliseront la version { $version }.
builder-in-progress-none = Aucune version n'est publiée : aucune demande n'est en cours.
builder-routing-intro = Des règles d'orientation de la démarche portent sur des champs absents de cette version ; elles ne s'appliqueront plus :
builder-routing-warning = une règle sur le champ « { $key } »
builder-cannot-publish = Cette version ne peut pas encore être publiée :
builder-publish-submit = Publier la version { $version }
builder-published = La version { $version } est publiée. Les demandes déjà commencées gardent la version { $old }.
builder-published-first = La version { $version } est publiée : la démarche peut être déposée en ligne.
builder-import-title = Importer un formulaire
builder-import-intro = Un formulaire partagé par une autre commune (fichier de formulaire, ou fichier de démarche entier) remplace le contenu du brouillon. La version publiée ne change pas avant publication.
builder-import-submit = Remplacer le brouillon
builder-imported = Le formulaire importé remplace le brouillon de la version { $version }. Relisez-le, puis publiez-le.
builder-json-file = Fichier JSON
builder-json-file-hint = Un fichier .json exporté par Parvis.
builder-json-text = Ou collez son contenu
builder-json-text-hint = Utilisé seulement si aucun fichier n'est choisi.
builder-json-empty = Choisissez un fichier ou collez son contenu.
builder-json-too-large = Le fichier dépasse 1 Mo : ce n'est pas un formulaire.
builder-json-not-text = Le fichier n'est pas un texte lisible (UTF-8) : ce n'est pas un fichier JSON.
builder-json-syntax = Le fichier n'est pas un JSON lisible : erreur ligne { $line }, colonne { $column }.
builder-json-shape = Le fichier ne décrit pas un formulaire valide : ligne { $line }, colonne { $column }, { $detail }.
builder-json-missing = la propriété « { $name } » manque
builder-json-unknown = la valeur « { $name } » n'est pas reconnue
builder-json-type = une valeur n'a pas le type attendu ({ $detail })
builder-json-no-form = Ce fichier de démarche ne contient pas de formulaire.
builder-json-not-a-form = Ce fichier ne contient ni un formulaire (« pages ») ni une démarche (« slug », « form »).
builder-json-invalid = Le formulaire du fichier est incorrect : rien n'a été importé.
builder-import-procedure-title = Importer une démarche
builder-import-procedure-intro = Créez une démarche à partir du fichier JSON partagé par une autre commune : fiche du catalogue, régime, circuit, orientation et formulaire publié.
builder-import-slug = Adresse de la nouvelle démarche
builder-import-slug-hint = Facultatif : remplace celle du fichier. Lettres minuscules sans accent, chiffres et tirets, par exemple location-salle-2.
builder-import-service = Service en charge
builder-import-service-hint = Facultatif : remplace le service indiqué dans le fichier.
builder-import-service-from-file = Celui du fichier
builder-import-procedure-submit = Créer la démarche
builder-import-slug-taken = L'adresse « { $slug } » est déjà celle d'une démarche : indiquez-en une autre.
builder-import-bad-slug = L'adresse « { $slug } » ne convient pas : lettres minuscules sans accent, chiffres et tirets.
builder-import-info-url = L'adresse de la page d'information doit être une adresse https:// complète : « { $url } ».
builder-import-unknown-service = Le service « { $service } » n'existe pas dans la commune : choisissez le service en charge.
builder-import-unknown-routing-service = Une règle d'orientation du fichier envoie vers le service « { $service } », qui n'existe pas dans la commune.
builder-import-unknown-team = Une règle d'orientation du fichier envoie vers l'équipe « { $team } » du service « { $service } », qui n'a pas d'équipe de ce nom court dans la commune.
builder-import-workflow = Le circuit de traitement du fichier est incorrect : { $detail }.
builder-procedure-imported = La démarche « { $title } » est créée, avec son formulaire publié. Elle figure au catalogue.
