// Everyday English words (3–7 letters) for the generated sample datasets. Hand-picked, no external source.
export const WORDS = `
able acid actor adult after agent alarm album alert alley amber angle ankle apple april arena armor arrow artist aspen atlas attic audio autumn avenue awake
bacon badge baker bamboo banana band banjo barn basket batch beach beard beaver bedroom bench berry bicycle bird biscuit blade blanket blaze blend blossom
board boat bonus book border bottle bowl brain branch brave bread breeze brick bridge bright broom brown brush bucket buffalo bundle butter button cabin
cactus cake camel camera candle canoe canvas canyon carbon carpet carrot castle cattle cedar cellar cement cereal chain chair chalk cheese cherry chess
chicken chimney circle citrus clay cliff clock cloud clover coach coast cobalt coconut coffee comet copper coral corner cotton couch cougar cousin cradle
crane crayon cream creek cricket crowd crown crystal cube cupcake curtain cushion cycle daisy dancer dawn decade deer delta desert desk diamond diary
dinner dolphin donkey door dragon drawer dream drift drum duck dune eagle early earth easel echo eclipse elbow element elm ember empire engine envelope
falcon fabric fairy farmer feather fence fern ferry fiddle field fig finger fire fjord flag flame flint flour flower flute foam forest fossil fountain fox
frame freckle frost fruit galaxy garden garlic gate gazebo gecko gem ginger giraffe glacier glass globe glove goat gold goose gourd grain granite grape
grass gravel green guitar gull habit hammer hamster harbor harp harvest hazel heart hedge helmet herb heron hill hinge hive hollow honey hook horizon
horse hotel house humor hut igloo ink insect island ivory jacket jade jaguar jam jar jelly jewel jigsaw journal judge juice jungle kayak kettle kite kitten
koala ladder lake lamp lantern laptop larch laser lava lawn leaf lemon lentil lesson letter lily lime linen lion lizard llama lobster locket lotus lunar
magnet mango maple marble market meadow melon mentor meteor mirror mitten model monkey moose mosaic moss motor mouse muffin museum music napkin nectar
needle nest nickel noodle north nutmeg oak oasis ocean olive onion opal orange orbit orchid otter oven owl oyster paddle palace panda paper parade parcel
parrot pasta peach peanut pearl pebble pencil pepper piano pickle pigeon pillow pilot pine pirate planet plaza plum pocket poem polar pond poppy portal
potato pottery prairie prism pumpkin puppet puzzle quail quarry quartz queen quill quilt rabbit radar radio radish rain ranch raven reef ribbon rice river
robin rocket roof rose ruby saddle saffron sail salad salmon sand satin saucer scarf school scooter sea seal seed shadow shark shell shelter shovel silver
sketch sled slope snail snow soap sock sofa solar spark spice spider spinach sponge spoon spring spruce square squid stable stamp star statue stone storm
stove straw stream street sugar summer sun sunset swan sweater table tablet tailor tango teapot tennis tent thistle thunder ticket tiger timber toast
tomato topaz torch tower trail train treaty tree trophy trout tulip tunnel turtle twig umbrella unicorn valley vanilla velvet violin volcano wagon walnut
walrus wand water wave wheat whale whistle willow window winter wizard wolf wool yacht yarn yogurt zebra zinc zipper
`.trim().split(/\s+/);
