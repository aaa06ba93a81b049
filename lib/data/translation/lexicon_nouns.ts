/**
 * English→French nouns for the translation generator.
 *
 * Entry syntax `en|fr|gender|class[|enPlural][|frPlural]`: gender `m`/`f`; class `h` person, `a` animal,
 * `t` thing, `f` countable food, `m` mass food, `d` drink, `i` ingredient (`m`, `d`, `i` are mass nouns and
 * take the partitive: "du pain", "de l'eau"), `p` place.
 * A French form starting with `*` has an aspirated h (no elision: "le hibou"). Plurals default to the
 * regular rules in `french_morphology.ts` / `english_morphology.ts`; irregular ones are spelled out.
 *
 * @module
 */

/** A parsed noun entry. */
export interface Noun {
  en: string;
  enPlural: string;
  fr: string;
  frPlural: string;
  gender: "m" | "f";
  cls: "h" | "a" | "t" | "f" | "m" | "d" | "i" | "p";
  /** True when the French word starts with an aspirated h (blocks elision). */
  aspirated: boolean;
}

/** The raw entries (see the module doc for the syntax). */
// deno-fmt-ignore
export const NOUN_ENTRIES: readonly string[] = [
  // people
  "man|homme|m|h|men", "woman|femme|f|h|women", "boy|garçon|m|h", "girl|fille|f|h", "child|enfant|m|h|children",
  "friend|ami|m|h", "teacher|professeur|m|h", "student|étudiant|m|h", "doctor|médecin|m|h", "nurse|infirmière|f|h",
  "baker|boulanger|m|h", "farmer|fermier|m|h", "neighbour|voisin|m|h", "king|roi|m|h", "queen|reine|f|h",
  "brother|frère|m|h", "sister|sœur|f|h", "father|père|m|h", "mother|mère|f|h", "son|fils|m|h",
  "daughter|fille|f|h", "uncle|oncle|m|h", "aunt|tante|f|h", "cousin|cousin|m|h", "grandfather|grand-père|m|h||grands-pères",
  "grandmother|grand-mère|f|h||grands-mères", "baby|bébé|m|h", "actor|acteur|m|h", "singer|chanteur|m|h", "writer|écrivain|m|h",
  "painter|peintre|m|h", "driver|chauffeur|m|h", "cook|cuisinier|m|h", "waiter|serveur|m|h", "lawyer|avocat|m|h",
  "engineer|ingénieur|m|h", "soldier|soldat|m|h", "pupil|élève|m|h", "guest|invité|m|h", "tourist|touriste|m|h",
  "artist|artiste|m|h", "musician|musicien|m|h", "policeman|policier|m|h|policemen", "postman|facteur|m|h|postmen", "pilot|pilote|m|h",
  "lady|dame|f|h", "gentleman|monsieur|m|h|gentlemen|messieurs", "player|joueur|m|h", "customer|client|m|h", "boss|patron|m|h",
  "hero|*héros|m|h|heroes|héros", "scientist|scientifique|m|h", "journalist|journaliste|m|h", "dancer|danseuse|f|h", "visitor|visiteur|m|h",
  // animals
  "cat|chat|m|a", "dog|chien|m|a", "horse|cheval|m|a", "cow|vache|f|a", "bird|oiseau|m|a", "fish|poisson|m|a|fish",
  "mouse|souris|f|a|mice", "rabbit|lapin|m|a", "sheep|mouton|m|a|sheep", "pig|cochon|m|a", "duck|canard|m|a",
  "chicken|poule|f|a", "goat|chèvre|f|a", "wolf|loup|m|a|wolves", "fox|renard|m|a", "bear|ours|m|a", "lion|lion|m|a",
  "tiger|tigre|m|a", "elephant|éléphant|m|a", "monkey|singe|m|a", "snake|serpent|m|a", "frog|grenouille|f|a",
  "owl|*hibou|m|a||hiboux", "bee|abeille|f|a", "butterfly|papillon|m|a", "ant|fourmi|f|a", "spider|araignée|f|a",
  "turtle|tortue|f|a", "squirrel|écureuil|m|a", "donkey|âne|m|a", "deer|cerf|m|a|deer", "whale|baleine|f|a",
  "dolphin|dauphin|m|a", "eagle|aigle|m|a", "giraffe|girafe|f|a", "camel|chameau|m|a", "zebra|zèbre|m|a",
  "kitten|chaton|m|a", "puppy|chiot|m|a", "hen|poule|f|a", "swan|cygne|m|a", "parrot|perroquet|m|a",
  // things
  "book|livre|m|t", "table|table|f|t", "chair|chaise|f|t", "car|voiture|f|t", "bicycle|vélo|m|t", "door|porte|f|t",
  "window|fenêtre|f|t", "letter|lettre|f|t", "pen|stylo|m|t", "pencil|crayon|m|t", "bag|sac|m|t", "box|boîte|f|t",
  "key|clé|f|t", "phone|téléphone|m|t", "computer|ordinateur|m|t", "watch|montre|f|t", "hat|chapeau|m|t",
  "shoe|chaussure|f|t", "shirt|chemise|f|t", "dress|robe|f|t", "coat|manteau|m|t", "glass|verre|m|t",
  "cup|tasse|f|t", "plate|assiette|f|t", "knife|couteau|m|t|knives", "fork|fourchette|f|t", "spoon|cuillère|f|t",
  "bed|lit|m|t", "lamp|lampe|f|t", "clock|horloge|f|t", "picture|tableau|m|t", "newspaper|journal|m|t",
  "map|carte|f|t", "ticket|billet|m|t", "umbrella|parapluie|m|t", "ball|ballon|m|t", "toy|jouet|m|t",
  "gift|cadeau|m|t", "flower|fleur|f|t", "tree|arbre|m|t", "stone|pierre|f|t", "boat|bateau|m|t",
  "train|train|m|t", "plane|avion|m|t", "bus|bus|m|t|buses", "truck|camion|m|t", "ring|bague|f|t",
  "bottle|bouteille|f|t", "wall|mur|m|t", "mirror|miroir|m|t", "notebook|cahier|m|t", "song|chanson|f|t",
  "story|histoire|f|t", "photo|photo|f|t", "guitar|guitare|f|t", "piano|piano|m|t", "candle|bougie|f|t",
  "blanket|couverture|f|t", "pillow|oreiller|m|t", "towel|serviette|f|t", "sofa|canapé|m|t", "basket|panier|m|t",
  "envelope|enveloppe|f|t", "card|carte|f|t", "film|film|m|t", "game|jeu|m|t||jeux", "jewel|bijou|m|t||bijoux",
  "dictionary|dictionnaire|m|t", "magazine|magazine|m|t", "wallet|portefeuille|m|t", "suitcase|valise|f|t", "kite|cerf-volant|m|t||cerfs-volants",
  "drawing|dessin|m|t", "poem|poème|m|t", "ladder|échelle|f|t", "hammer|marteau|m|t", "rope|corde|f|t",
  "brush|brosse|f|t", "scarf|écharpe|f|t|scarves", "glove|gant|m|t", "sock|chaussette|f|t", "belt|ceinture|f|t",
  "tool|outil|m|t", "engine|moteur|m|t", "wheel|roue|f|t", "leaf|feuille|f|t|leaves", "shell|coquillage|m|t",
  "cart|charrette|f|t", "desk|bureau|m|t", "board|tableau|m|t", "coin|pièce|f|t", "bill|addition|f|t", "radio|radio|f|t", "tent|tente|f|t",
  // countable food
  "apple|pomme|f|f", "orange|orange|f|f", "banana|banane|f|f", "pear|poire|f|f", "cake|gâteau|m|f",
  "egg|œuf|m|f", "tomato|tomate|f|f|tomatoes", "carrot|carotte|f|f", "potato|pomme de terre|f|f|potatoes|pommes de terre", "sandwich|sandwich|m|f|sandwiches",
  "lemon|citron|m|f", "strawberry|fraise|f|f|strawberries", "cherry|cerise|f|f|cherries", "biscuit|biscuit|m|f", "pie|tarte|f|f",
  "onion|oignon|m|f", "peach|pêche|f|f|peaches", "melon|melon|m|f", "croissant|croissant|m|f", "sausage|saucisse|f|f",
  // mass food and drink
  "bread|pain|m|m", "water|eau|f|d", "milk|lait|m|d", "coffee|café|m|d", "tea|thé|m|d", "wine|vin|m|d",
  "cheese|fromage|m|m", "rice|riz|m|m", "soup|soupe|f|m", "sugar|sucre|m|i", "salt|sel|m|i", "butter|beurre|m|m",
  "meat|viande|f|m", "juice|jus|m|d", "jam|confiture|f|m", "honey|miel|m|m", "chocolate|chocolat|m|m",
  "oil|huile|f|i", "flour|farine|f|i", "salad|salade|f|m", "beer|bière|f|d", "fruit juice|jus de fruits|m|d",
  // places
  "school|école|f|p", "market|marché|m|p", "park|parc|m|p", "garden|jardin|m|p", "station|gare|f|p",
  "hospital|hôpital|m|p", "library|bibliothèque|f|p|libraries", "museum|musée|m|p", "beach|plage|f|p|beaches", "church|église|f|p|churches",
  "office|bureau|m|p", "restaurant|restaurant|m|p", "bank|banque|f|p", "airport|aéroport|m|p", "kitchen|cuisine|f|p",
  "forest|forêt|f|p", "river|rivière|f|p", "city|ville|f|p|cities", "village|village|m|p", "hotel|hôtel|m|p",
  "cinema|cinéma|m|p", "theatre|théâtre|m|p", "shop|magasin|m|p", "bakery|boulangerie|f|p|bakeries", "farm|ferme|f|p",
  "mountain|montagne|f|p", "sea|mer|f|p", "island|île|f|p", "university|université|f|p|universities", "stadium|stade|m|p",
  "pharmacy|pharmacie|f|p|pharmacies", "zoo|zoo|m|p", "harbour|port|m|p", "castle|château|m|p", "bridge|pont|m|p",
  "house|maison|f|p", "room|chambre|f|p", "apartment|appartement|m|p", "street|rue|f|p", "square|place|f|p", "field|champ|m|p", "lake|lac|m|p", "swimming pool|piscine|f|p",
  "classroom|salle de classe|f|p||salles de classe", "garage|garage|m|p", "cafe|café|m|p", "post office|poste|f|p", "supermarket|supermarché|m|p",
];

/** The parsed nouns. */
export const NOUNS: readonly Noun[] = Object.freeze(NOUN_ENTRIES.map(parseNoun));

function parseNoun(entry: string): Noun {
  const [en, frRaw, gender, cls, enPl, frPl] = entry.split("|");
  if ((gender !== "m" && gender !== "f") || !"hatfmdip".includes(cls) || cls.length !== 1) {
    throw new Error(
      `noun entry ${JSON.stringify(entry)}: gender must be m/f and class one of h a t f m d i p`,
    );
  }
  const aspirated = frRaw.startsWith("*");
  const fr = frRaw.replace(/^\*/, "");
  return {
    en,
    enPlural: enPl || englishPlural(en),
    fr,
    frPlural: frPl || frenchPlural(fr),
    gender,
    cls: cls as Noun["cls"],
    aspirated,
  };
}

/** Regular English plural (box → boxes, city → cities, book → books). */
export function englishPlural(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  return word + "s";
}

/** Regular French plural of a noun or adjective (cheval → chevaux, gâteau → gâteaux, bras → bras). */
export function frenchPlural(word: string): string {
  if (word.includes(" ")) { // "pomme de terre": only the head noun takes the plural
    const [head, ...rest] = word.split(" ");
    return [frenchPlural(head), ...rest].join(" ");
  }
  if (/[sxz]$/.test(word)) return word;
  if (/(eau|eu)$/.test(word)) return word + "x";
  if (/al$/.test(word)) return word.slice(0, -2) + "aux";
  return word + "s";
}
