/**
 * English→French verbs for the translation generator.
 *
 * Entry syntax `enBase|enPast|frInfinitive|frame|subjects|objects|flags`:
 * - frame `t` transitive, `i` intransitive (may take "in the <place>" → "dans le <lieu>"), or
 *   `m:<enPrep>/<frPrep>` motion to a place ("go to the market" → "aller au marché"; `frPrep` is `à` or
 *   `de` or `dans`, contracted with the article where French requires it);
 * - subjects/objects: noun classes (see `lexicon_nouns.ts`) or `@` and a comma-separated list of English
 *   nouns, so selectional restrictions keep sentences sensible ("the dog barks", never "the table barks");
 * - flags: `S` stative (the English simple past becomes the imparfait: "I had a dog" → "j'avais un
 *   chien"). The être auxiliary comes from `ETRE_VERBS` in `french_morphology.ts`.
 *
 * @module
 */

/** A parsed verb entry. */
export interface Verb {
  en: string;
  enPast: string;
  fr: string;
  frame: "t" | "i" | "m";
  enPrep: string;
  frPrep: string;
  subjects: string;
  objects: string;
  stative: boolean;
}

const OPENABLE = "@door,window,box,bag,bottle,book,letter,suitcase,envelope,shop";
const LOSABLE =
  "@key,wallet,bag,ticket,ring,watch,pen,phone,umbrella,hat,glove,ball,map,card,coin,notebook,scarf";
const FIXABLE =
  "@car,bicycle,door,window,chair,table,watch,clock,phone,computer,lamp,boat,engine,wheel,truck,wall,bridge";
const READABLE = "@book,letter,newspaper,story,poem,magazine,map,card,dictionary,notebook";
const BREAKABLE = "@glass,cup,plate,window,chair,toy,watch,phone,lamp,mirror,bottle,egg,clock";
const RELATIVES =
  "@friend,teacher,doctor,mother,father,brother,sister,guest,customer,neighbour,cousin,uncle,aunt";
const FLYERS = "@bird,eagle,owl,bee,butterfly,duck,parrot,swan";

/** The raw entries. */
// deno-fmt-ignore
export const VERB_ENTRIES: readonly string[] = [
  "eat|ate|manger|t|ha|fm", "drink|drank|boire|t|ha|d", "see|saw|voir|t|ha|hatfp", "watch|watched|regarder|t|h|ha",
  "look at|looked at|regarder|t|ha|hatp", "look for|looked for|chercher|t|ha|hat", "find|found|trouver|t|ha|hat",
  "want|wanted|vouloir|t|ha|tfmd|S", "like|liked|aimer|t|ha|hatfmdp|S", "love|loved|adorer|t|h|hatfmdp|S",
  "hate|hated|détester|t|h|hatfmd|S", "have|had|avoir|t|ha|atf|S", "buy|bought|acheter|t|h|tfmdi",
  "sell|sold|vendre|t|h|tfmdi", "carry|carried|porter|t|ha|t", "take|took|prendre|t|h|tfd", "bring|brought|apporter|t|h|tfmd",
  `open|opened|ouvrir|t|h|${OPENABLE}`, `close|closed|fermer|t|h|${OPENABLE}`, `read|read|lire|t|h|${READABLE}`,
  "write|wrote|écrire|t|h|@letter,story,poem,song,card,book", "paint|painted|peindre|t|h|@wall,door,picture,chair,table,boat,flower",
  "draw|drew|dessiner|t|h|hatp", "cook|cooked|cuisiner|t|h|fm", "prepare|prepared|préparer|t|h|fm",
  "wash|washed|laver|t|h|@car,shirt,dress,plate,glass,cup,dog,horse,fork,spoon,towel,sock,window",
  "clean|cleaned|nettoyer|t|h|@car,kitchen,table,window,house,glass,plate,office,classroom,garage,room",
  `repair|repaired|réparer|t|h|${FIXABLE}`, "build|built|construire|t|h|@house,wall,bridge,boat,tent,castle,garage,school,church,hotel",
  "visit|visited|visiter|t|h|p", `lose|lost|perdre|t|ha|${LOSABLE}`, `forget|forgot|oublier|t|h|${LOSABLE}`,
  "use|used|utiliser|t|h|@computer,phone,pen,pencil,knife,fork,spoon,tool,hammer,map,dictionary,key,towel,car,bicycle,ladder,brush,rope",
  "hear|heard|entendre|t|ha|@song,bird,dog,child,baby,train,engine,owl,radio",
  "listen to|listened to|écouter|t|ha|@song,teacher,singer,musician,story,piano,guitar,bird,radio",
  `wait for|waited for|attendre|t|ha|@bus,train,plane,${RELATIVES.slice(1)}`, "help|helped|aider|t|h|h",
  "meet|met|rencontrer|t|h|h", "know|knew|connaître|t|h|hp|S", "call|called|appeler|t|h|h", "follow|followed|suivre|t|ha|ha",
  "catch|caught|attraper|t|ha|@ball,fish,mouse,bird,rabbit,butterfly,bus,train,frog", "chase|chased|poursuivre|t|a|a",
  "feed|fed|nourrir|t|h|a", "kiss|kissed|embrasser|t|h|h", "choose|chose|choisir|t|h|tf",
  "fill|filled|remplir|t|h|@glass,cup,bottle,box,bag,basket,suitcase", "send|sent|envoyer|t|h|@letter,card,gift,photo,envelope,book",
  "receive|received|recevoir|t|h|@letter,card,gift,photo,book,ticket", "cut|cut|couper|t|h|@bread,cake,apple,cheese,meat,tree,rope,onion,tomato,melon",
  `break|broke|casser|t|ha|${BREAKABLE}`, "hold|held|tenir|t|h|t", "push|pushed|pousser|t|h|@car,door,bicycle,chair,table,box,ball,cart",
  "pull|pulled|tirer|t|h|@rope,door,cart,chair,box,bag", "throw|threw|lancer|t|h|@ball,stone,key,coin", "steal|stole|voler|t|h|t",
  "hide|hid|cacher|t|ha|t", "keep|kept|garder|t|h|t", "count|counted|compter|t|h|@coin,sheep,bird,book,chair,apple,egg",
  "learn|learned|apprendre|t|h|@song,poem,story", "understand|understood|comprendre|t|h|@story,letter,teacher,poem,map,film",
  "sing|sang|chanter|t|h|@song", "climb|climbed|escalader|t|ha|@tree,mountain,wall,ladder",
  "cross|crossed|traverser|t|ha|@street,river,bridge,square,forest,field,city,sea,lake", "leave|left|quitter|t|h|p",
  "drive|drove|conduire|t|h|@car,bus,truck", "borrow|borrowed|emprunter|t|h|@book,bicycle,car,pen,umbrella,dictionary,pencil",
  "pay|paid|payer|t|h|@ticket,bill", "order|ordered|commander|t|h|fmd", "taste|tasted|goûter|t|h|fmd",
  "smell|smelled|sentir|t|ha|@flower,bread,cake,soup,coffee,fish", "pick|picked|cueillir|t|h|@flower,apple,strawberry,cherry,pear,peach",
  "plant|planted|planter|t|h|@tree,flower,carrot,potato,tomato", "water|watered|arroser|t|h|@flower,tree,garden",
  "greet|greeted|saluer|t|h|h", "thank|thanked|remercier|t|h|h", "invite|invited|inviter|t|h|h", "admire|admired|admirer|t|h|hatp",
  "prefer|preferred|préférer|t|h|hatfmd|S", "finish|finished|finir|t|h|@book,letter,story,poem,drawing,soup,cake,game,film",
  "study|studied|étudier|t|h|@map,story,poem,letter", "photograph|photographed|photographier|t|h|hatp",
  "sleep|slept|dormir|i|ha", "work|worked|travailler|i|h", "play|played|jouer|i|ha", "sing|sang|chanter|i|h",
  "dance|danced|danser|i|h", "swim|swam|nager|i|ha", "run|ran|courir|i|ha", "walk|walked|marcher|i|ha",
  "read|read|lire|i|h", "wait|waited|attendre|i|ha", "eat|ate|manger|i|ha", "laugh|laughed|rire|i|h", "cry|cried|pleurer|i|ha",
  "smile|smiled|sourire|i|h", "travel|travelled|voyager|i|h", "study|studied|étudier|i|h", "shout|shouted|crier|i|ha",
  "jump|jumped|sauter|i|ha", "live|lived|habiter|i|h", "fall|fell|tomber|i|ha", "stay|stayed|rester|i|ha",
  "win|won|gagner|i|h", "lose|lost|perdre|i|h", "cook|cooked|cuisiner|i|h", "write|wrote|écrire|i|h", "draw|drew|dessiner|i|h",
  "paint|painted|peindre|i|h", "think|thought|réfléchir|i|h", "grow|grew|grandir|i|ha", `fly|flew|voler|i|${FLYERS}`,
  "bark|barked|aboyer|i|@dog,puppy", "eat lunch|ate lunch|déjeuner|i|h", "eat dinner|ate dinner|dîner|i|h",
  "go|went|aller|m:to/à|ha", "come|came|venir|m:to/à|ha", "return|returned|retourner|m:to/à|ha", "arrive|arrived|arriver|m:at/à|ha",
  "stay|stayed|rester|m:at/à|ha", "work|worked|travailler|m:at/à|h", "go out of|went out of|sortir|m:/de|ha",
  "come back from|came back from|revenir|m:/de|ha", "leave|left|partir|m:for/pour|h", "enter|entered|entrer|m:/dans|ha",
  "go into|went into|entrer|m:/dans|ha", "run to|ran to|courir|m:/jusqu'à|ha",
];

/** The parsed verbs. */
export const VERBS: readonly Verb[] = Object.freeze(
  VERB_ENTRIES.map((entry): Verb => {
    const [en, enPast, fr, frame, subjects, objects = "", flags = ""] = entry.split("|");
    const [kind, preps = ""] = frame.split(":");
    const [enPrep, frPrep] = preps.split("/");
    if (kind !== "t" && kind !== "i" && kind !== "m") {
      throw new Error(`verb entry ${entry}: unknown frame ${frame}`);
    }
    return {
      en,
      enPast,
      fr,
      frame: kind as Verb["frame"],
      enPrep: enPrep ?? "",
      frPrep: frPrep ?? "",
      subjects,
      objects,
      stative: flags.includes("S"),
    };
  }),
);
