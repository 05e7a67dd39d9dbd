//! The world's communities (niches): their hashtags, words, brands and the
//! phrases their members post. Hashtags are kept apart between niches so that
//! a niche is recognisable from its tags; every niche also uses the generic
//! tags of [`GENERIC_HASHTAGS`], as real captions do.

/// One community of the follow graph.
pub(crate) struct Niche {
    /// Short name, also the creators' `category`.
    pub name: &'static str,
    /// Share of the world's accounts whose home community this is.
    pub weight: f64,
    /// Hashtags of the niche, without `#`, most used first.
    pub hashtags: &'static [&'static str],
    /// Words a brief would use for the niche.
    pub keywords: &'static [&'static str],
    /// Words creators put in their handles.
    pub handle_words: &'static [&'static str],
    /// Creator bios (a descriptor; city and contact are added).
    pub creator_bios: &'static [&'static str],
    /// Captions of organic posts.
    pub phrases: &'static [&'static str],
    /// Product words for sponsored captions.
    pub products: &'static [&'static str],
    /// The niche's brands (handles); in the brand niche the first is the brand.
    pub brands: [&'static str; 3],
    /// Display names of the brands.
    pub brand_names: [&'static str; 3],
}

/// Index of the niche the demo brand sells in.
pub(crate) const BRAND_NICHE: usize = 4;

/// Generic hashtags used across all niches (never disclosure tags).
pub(crate) const GENERIC_HASHTAGS: &[&str] = &[
    "instagood",
    "photooftheday",
    "love",
    "weekend",
    "happy",
    "instadaily",
    "goodvibes",
    "sundayvibes",
];

/// Captions of ordinary users' posts, whatever their niche.
pub(crate) const PERSONAL_PHRASES: &[&str] = &[
    "Sunday with my favourite people",
    "Finally some sun",
    "Throwback to last summer",
    "Birthday dinner",
    "Weekend mood",
    "New haircut, who dis",
    "Lazy morning",
    "Road trip with the crew",
    "Home sweet home",
    "Little things",
    "Best view in town",
    "Cheers to friday",
];

/// Bios of ordinary users (their interest is added to some).
pub(crate) const PERSONAL_BIOS: &[&str] = &[
    "living my best life",
    "coffee first",
    "just vibes",
    "mum of two",
    "dog person",
    "student",
    "nurse by day",
    "engineer",
    "sunsets and good food",
    "aspiring photographer",
];

const TRAIL: Niche = Niche {
    name: "trail running",
    weight: 0.10,
    hashtags: &[
        "trailrunning",
        "ultramarathon",
        "trailrunner",
        "mountainrunning",
        "ultrarunning",
        "skyrunning",
        "trailrun",
        "runnersofinstagram",
        "traillauf",
        "verticalkm",
    ],
    keywords: &["trail", "running", "ultra", "mountain"],
    handle_words: &["runs", "trails", "ultra", "miles", "ontheridge"],
    creator_bios: &[
        "Ultra runner chasing mountains",
        "Trail runner and running coach",
        "Running up hills since 2012",
        "Mountain runner, 100k finisher",
        "Trail running, muddy shoes, big views",
    ],
    phrases: &[
        "Long run in the hills this morning",
        "Race recap: 50k and a lot of mud",
        "New PR on the vertical km",
        "Sunrise on the ridge, 30k done",
        "Testing my kit for the next ultra",
        "Easy miles, happy legs",
        "Hill repeats until the legs said no",
        "Back-to-back long runs this weekend",
    ],
    products: &["trail shoes", "running vest", "poles", "race socks"],
    brands: ["trailcraft", "ridgelinegear", "summitsole"],
    brand_names: ["Trailcraft", "Ridgeline Gear", "Summit Sole"],
};

pub(crate) const NICHES: &[Niche] = &[
    Niche {
        name: "fashion",
        weight: 0.15,
        hashtags: &[
            "ootd",
            "fashion",
            "streetstyle",
            "outfitoftheday",
            "fashionblogger",
            "whatiwore",
            "styleinspo",
            "thriftedfashion",
            "capsulewardrobe",
        ],
        keywords: &["fashion", "style", "outfit", "wardrobe"],
        handle_words: &["style", "wears", "closet", "looks"],
        creator_bios: &[
            "Everyday style and thrifted finds",
            "Slow fashion, big smiles",
            "Outfits for real life",
        ],
        phrases: &[
            "Today's look",
            "Thrifted this jacket and I'm obsessed",
            "Three ways to style one blazer",
            "Neutral tones for autumn",
            "Capsule wardrobe update",
        ],
        products: &["jacket", "sneakers", "handbag", "linen dress"],
        brands: ["threadline", "velvetandoak", "urbanloom"],
        brand_names: ["Threadline", "Velvet & Oak", "Urban Loom"],
    },
    Niche {
        name: "travel",
        weight: 0.11,
        hashtags: &[
            "travel",
            "wanderlust",
            "travelgram",
            "instatravel",
            "travelphotography",
            "backpacking",
            "roadtrip",
            "solotravel",
            "hiddengems",
        ],
        keywords: &["travel", "trip", "destination", "backpacking"],
        handle_words: &["travels", "wanders", "abroad", "roams"],
        creator_bios: &[
            "40 countries and counting",
            "Slow travel and hidden gems",
            "Backpacker turned travel writer",
        ],
        phrases: &[
            "Woke up to this view",
            "Hidden beach, no crowds",
            "Three days in Lisbon: a guide",
            "Night train to somewhere new",
            "Packing list for two weeks carry-on",
        ],
        products: &["backpack", "hotel stay", "travel card", "luggage"],
        brands: ["nomadpack", "skyroute", "wanderinn"],
        brand_names: ["Nomad Pack", "SkyRoute", "Wander Inn"],
    },
    Niche {
        name: "cooking",
        weight: 0.10,
        hashtags: &[
            "homecooking",
            "recipes",
            "foodie",
            "easyrecipes",
            "mealprep",
            "baking",
            "vegetarianrecipes",
            "pastalover",
            "recettes",
        ],
        keywords: &["recipe", "cooking", "food", "kitchen"],
        handle_words: &["cooks", "kitchen", "eats", "bakes"],
        creator_bios: &[
            "Easy recipes for busy weeknights",
            "Home cook, bread nerd",
            "Vegetarian recipes from my tiny kitchen",
        ],
        phrases: &[
            "One-pot pasta in 20 minutes",
            "Sourdough attempt number 12",
            "Meal prep for the week",
            "Grandma's lemon cake recipe",
            "Crispy tofu, no fryer",
        ],
        products: &["pan", "knife set", "spice box", "stand mixer"],
        brands: ["pantrypal", "spicecraft", "panforge"],
        brand_names: ["Pantry Pal", "Spicecraft", "Panforge"],
    },
    Niche {
        name: "family",
        weight: 0.08,
        hashtags: &[
            "momlife",
            "parenting",
            "familytime",
            "dadlife",
            "toddlerlife",
            "motherhood",
            "kidsactivities",
            "familyfun",
        ],
        keywords: &["family", "parenting", "kids", "mom"],
        handle_words: &["family", "mama", "papa", "littles"],
        creator_bios: &[
            "Mum of three, surviving on coffee",
            "Dad, teacher, builder of forts",
            "Real family life, unfiltered",
        ],
        phrases: &[
            "Rainy day activities that saved us",
            "First day of school",
            "Toddler-approved snacks",
            "Family hike, zero meltdowns",
            "Bedtime routine that works",
        ],
        products: &["stroller", "kids' books", "lunch boxes", "car seat"],
        brands: ["tinysteps", "nestandnook", "playfulbox"],
        brand_names: ["Tiny Steps", "Nest & Nook", "Playful Box"],
    },
    TRAIL,
    Niche {
        name: "skincare",
        weight: 0.08,
        hashtags: &[
            "skincare",
            "skincareroutine",
            "glowingskin",
            "kbeauty",
            "skincaretips",
            "spf",
            "acneskin",
            "cleanbeauty",
            "serum",
        ],
        keywords: &["skincare", "skin", "serum", "routine"],
        handle_words: &["glow", "skin", "beauty", "derm"],
        creator_bios: &[
            "Skincare for sensitive skin",
            "Esthetician sharing what works",
            "Honest reviews, no filters",
        ],
        phrases: &[
            "My morning routine, 4 steps",
            "SPF every day, yes even in winter",
            "Ingredients I avoid and why",
            "Night routine for dry skin",
            "Empties of the month",
        ],
        products: &["serum", "sunscreen", "cleanser", "moisturiser"],
        brands: ["dewlab", "purelumen", "skinsmith"],
        brand_names: ["Dewlab", "Pure Lumen", "Skinsmith"],
    },
    Niche {
        name: "fitness",
        weight: 0.07,
        hashtags: &[
            "fitness",
            "gym",
            "workout",
            "fitfam",
            "strengthtraining",
            "homeworkout",
            "legday",
            "fitnessmotivation",
        ],
        keywords: &["fitness", "gym", "workout", "strength"],
        handle_words: &["lifts", "fit", "strong", "gains"],
        creator_bios: &[
            "Strength coach, online programs",
            "Home workouts for busy people",
            "Powerlifter and physio",
        ],
        phrases: &[
            "Leg day done",
            "20-minute home workout",
            "New deadlift PR",
            "Form check: the squat",
            "Rest days matter",
        ],
        products: &["protein", "resistance bands", "gym bag", "lifting shoes"],
        brands: ["ironpulse", "fitforge", "corestack"],
        brand_names: ["Iron Pulse", "Fitforge", "Corestack"],
    },
    Niche {
        name: "gaming",
        weight: 0.07,
        hashtags: &[
            "gaming",
            "gamer",
            "esports",
            "pcgaming",
            "ps5",
            "retrogaming",
            "gamingsetup",
            "nintendoswitch",
        ],
        keywords: &["gaming", "games", "esports", "console"],
        handle_words: &["plays", "gg", "pixel", "game"],
        creator_bios: &[
            "Streamer, speedrunner, snack enthusiast",
            "Retro games and setup tours",
            "Competitive FPS, chill vibes",
        ],
        phrases: &[
            "New setup finally done",
            "Speedrun attempt tonight",
            "Top 5 indie games this year",
            "Clutch of the week",
            "Retro haul from the flea market",
        ],
        products: &["headset", "keyboard", "gaming chair", "controller"],
        brands: ["pixelforge", "nexusgear", "arcadeline"],
        brand_names: ["Pixelforge", "Nexus Gear", "Arcadeline"],
    },
    Niche {
        name: "interior",
        weight: 0.06,
        hashtags: &[
            "interiordesign",
            "homedecor",
            "interiorinspo",
            "scandinavianhome",
            "cozyhome",
            "diyhome",
            "livingroomdecor",
        ],
        keywords: &["interior", "decor", "home", "design"],
        handle_words: &["home", "nest", "rooms", "decor"],
        creator_bios: &[
            "Renovating a 1930s house",
            "Small spaces, big ideas",
            "Interior designer, DIY lover",
        ],
        phrases: &[
            "Living room before and after",
            "Styling a bookshelf",
            "Painted the hallway green",
            "Rental-friendly updates",
            "Cozy corner for winter",
        ],
        products: &["lamp", "rug", "armchair", "paint"],
        brands: ["oakandlinen", "casanordic", "lumenhome"],
        brand_names: ["Oak & Linen", "Casa Nordic", "Lumen Home"],
    },
    Niche {
        name: "pets",
        weight: 0.05,
        hashtags: &[
            "dogsofinstagram",
            "catsofinstagram",
            "puppylove",
            "dogstagram",
            "petsofinstagram",
            "rescuedog",
            "catlife",
        ],
        keywords: &["dog", "cat", "pet", "puppy"],
        handle_words: &["dog", "paws", "cat", "pup"],
        creator_bios: &[
            "Adventures of a rescue pup",
            "Two cats, one very tired human",
            "Dog trainer, positive methods",
        ],
        phrases: &[
            "Zoomies at the beach",
            "Gotcha day, 3 years!",
            "Who wore it better",
            "Trick of the week",
            "Nap champion",
        ],
        products: &["dog food", "harness", "cat tree", "treats"],
        brands: ["pawsome", "furandfable", "wagwell"],
        brand_names: ["Pawsome", "Fur & Fable", "Wagwell"],
    },
    Niche {
        name: "photography",
        weight: 0.05,
        hashtags: &[
            "photography",
            "streetphotography",
            "filmphotography",
            "landscapephotography",
            "portraitphotography",
            "35mm",
            "naturephotography",
        ],
        keywords: &["photography", "camera", "film", "photo"],
        handle_words: &["shoots", "lens", "frames", "film"],
        creator_bios: &[
            "Film photographer, 35mm and 120",
            "Street photography from the city",
            "Landscapes and long exposures",
        ],
        phrases: &[
            "Golden hour in the old town",
            "Shot on expired film",
            "Light and shadow",
            "Portrait session with a friend",
            "Fog over the lake",
        ],
        products: &["camera", "lens", "film rolls", "tripod"],
        brands: ["lumacam", "grainandlight", "aperturelab"],
        brand_names: ["Lumacam", "Grain & Light", "Aperture Lab"],
    },
    Niche {
        name: "coffee",
        weight: 0.04,
        hashtags: &[
            "specialtycoffee",
            "latteart",
            "coffeetime",
            "baristalife",
            "pourover",
            "espresso",
            "café",
        ],
        keywords: &["coffee", "espresso", "barista", "brew"],
        handle_words: &["brews", "beans", "coffee", "roast"],
        creator_bios: &[
            "Home barista, pour-over nerd",
            "Coffee roaster and latte artist",
            "Cafés of the world",
        ],
        phrases: &[
            "Morning pour-over ritual",
            "Latte art practice, day 40",
            "New beans from Ethiopia",
            "Espresso dialled in",
            "Best café in town?",
        ],
        products: &["grinder", "espresso machine", "beans", "kettle"],
        brands: ["roastery9", "beanandbloom", "crema_co"],
        brand_names: ["Roastery 9", "Bean & Bloom", "Crema Co"],
    },
    Niche {
        name: "gardening",
        weight: 0.04,
        hashtags: &[
            "gardening",
            "gardenlife",
            "growyourown",
            "houseplants",
            "urbangarden",
            "plantlover",
            "vegetablegarden",
        ],
        keywords: &["garden", "plants", "grow", "soil"],
        handle_words: &["grows", "garden", "plants", "leaf"],
        creator_bios: &[
            "Balcony gardener, 40 pots",
            "Allotment diaries",
            "Houseplant rescue centre",
        ],
        phrases: &[
            "First tomatoes of the season",
            "Repotting day",
            "Balcony garden tour",
            "Seed starting indoors",
            "Harvest basket",
        ],
        products: &["seeds", "planters", "compost", "grow light"],
        brands: ["greenthumbco", "seedandsoil", "leafloft"],
        brand_names: ["Green Thumb Co", "Seed & Soil", "Leafloft"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use kith_model::Settings;
    use std::collections::HashSet;

    #[test]
    fn weights_sum_to_one_and_brand_niche_is_trail() {
        let total: f64 = NICHES.iter().map(|n| n.weight).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert_eq!(NICHES[BRAND_NICHE].name, "trail running");
    }

    #[test]
    fn hashtags_are_distinct_and_never_disclosures() {
        let disclosures: HashSet<String> = Settings::default()
            .saturation
            .disclosure_tags
            .into_iter()
            .collect();
        let mut seen = HashSet::new();
        for niche in NICHES {
            for tag in niche.hashtags.iter().chain(GENERIC_HASHTAGS) {
                assert!(!disclosures.contains(*tag), "{tag} is a disclosure tag");
            }
            for tag in niche.hashtags {
                assert!(seen.insert(*tag), "{tag} is in two niches");
                let parsed = kith_model::text::extract_hashtags(&format!("#{tag}"));
                assert_eq!(parsed, [tag.to_string()], "{tag} does not parse whole");
            }
        }
    }
}
