"""The fixed word lists the seeder draws from: people, places, products, promotions, payments.

Kept apart from the seeding logic so that the data's flavour can change without touching how it is
generated. Everything here is constant; the seeder picks from it with its own seeded random source.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Joe", "Ana", "María", "José", "Camila", "Diego", "Valentina", "Matías", "Sofía", "Benjamín",
    "Javiera", "Tomás", "Catalina", "Felipe", "Isidora", "Nicolás", "Fernanda", "Sebastián",
    "Constanza", "Vicente", "Francisca", "Cristóbal", "Daniela", "Martín", "Antonia", "Ignacio",
    "Paula", "Lucas", "Carla", "Pedro",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Perk", "González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez",
    "Sepúlveda", "Morales", "Rodríguez", "López", "Fuentes", "Hernández", "Torres", "Araya",
    "Flores", "Espinoza", "Valenzuela", "Castillo", "Tapia", "Reyes", "Gutiérrez", "Castro",
    "Pizarro", "Álvarez", "Vásquez", "Sánchez",
)  # fmt: skip

# Reserved documentation domains (RFC 2606): seeded emails can never reach anybody.
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example.com")

# (shipping description, price): the zones a shop charges shipping by.
ZONES: dict[str, tuple[str, int]] = {
    "metro": ("Santiago urbano", 2990),
    "valpo": ("Valparaíso, Viña del Mar, San Antonio", 3714),
    "centre": ("Zona centro", 3490),
    "south": ("Zona sur", 4990),
    "north": ("Zona norte", 5990),
    "austral": ("Zona austral", 7990),
}

# (locality, region, latitude, longitude, zone)
CITIES: tuple[tuple[str, str, float, float, str], ...] = (
    ("Santiago", "Región Metropolitana", -33.4489, -70.6693, "metro"),
    ("Providencia", "Región Metropolitana", -33.4314, -70.6093, "metro"),
    ("Las Condes", "Región Metropolitana", -33.4080, -70.5670, "metro"),
    ("Ñuñoa", "Región Metropolitana", -33.4569, -70.5976, "metro"),
    ("Maipú", "Región Metropolitana", -33.5110, -70.7580, "metro"),
    ("Valparaiso", "Valparaiso", -33.0472, -71.6127, "valpo"),
    ("Viña del Mar", "Valparaiso", -33.0245, -71.5518, "valpo"),
    ("San Antonio", "Valparaiso", -33.5933, -71.6217, "valpo"),
    ("Rancagua", "O'Higgins", -34.1708, -70.7444, "centre"),
    ("Talca", "Maule", -35.4264, -71.6554, "centre"),
    ("Concepción", "Biobío", -36.8270, -73.0503, "south"),
    ("Temuco", "La Araucanía", -38.7359, -72.5904, "south"),
    ("Valdivia", "Los Ríos", -39.8142, -73.2459, "south"),
    ("Puerto Montt", "Los Lagos", -41.4689, -72.9411, "south"),
    ("La Serena", "Coquimbo", -29.9027, -71.2520, "north"),
    ("Antofagasta", "Antofagasta", -23.6509, -70.3975, "north"),
    ("Iquique", "Tarapacá", -20.2307, -70.1357, "north"),
    ("Arica", "Arica y Parinacota", -18.4783, -70.3126, "north"),
    ("Punta Arenas", "Magallanes", -53.1638, -70.9171, "austral"),
)

STREETS: tuple[str, ...] = (
    "Av. Brasil", "Av. Providencia", "Arturo Prat", "Av. Libertad", "Los Carrera", "O'Higgins",
    "Av. Alemania", "Baquedano", "Esmeralda", "Colón", "Av. Argentina", "Pedro de Valdivia",
    "Irarrázaval", "Manuel Montt", "San Martín", "Condell", "Blanco Encalada", "Yungay",
)  # fmt: skip

STREET_2: tuple[str | None, ...] = (None, None, None, "4to piso", "Depto 402", "Casa B", "Of. 12")

SIZES_SHOES = ("38", "39", "40", "41", "42", "43")
SIZES_CLOTHES = ("S", "M", "L", "XL")
COLOURS = ("Negro", "Blanco", "Azul", "Rojo", "Verde")

# (title, price, weight in grams, variant titles)
SHOP1_PRODUCTS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("Canvas Shoes", 24990, 900, SIZES_SHOES),
    ("Leather Boots", 59990, 1400, SIZES_SHOES),
    ("Running Shoes", 39990, 800, SIZES_SHOES),
    ("Suede Loafers", 44990, 1000, SIZES_SHOES[:4]),
    ("Cotton T-Shirt", 9990, 200, SIZES_CLOTHES),
    ("Linen Shirt", 19990, 250, SIZES_CLOTHES),
    ("Denim Jacket", 34990, 900, SIZES_CLOTHES),
    ("Alpaca Sweater", 49990, 600, SIZES_CLOTHES),
    ("Wool Scarf", 12990, 150, COLOURS[:3]),
    ("Knit Beanie", 7990, 100, COLOURS),
    ("Rain Poncho", 14990, 300, COLOURS[2:]),
    ("130924 Tinto", 29990, 1400, ("39",)),
    ("Carmenère Reserva", 8990, 1300, ("750 ml", "Magnum 1.5 l")),
    ("Sauvignon Blanc", 6990, 1300, ("750 ml",)),
    ("Pisco Especial", 10990, 1200, ("700 ml", "1 l")),
    ("Ceramic Mug", 5990, 350, COLOURS[:4]),
    ("Café de Grano", 8490, 500, ("250 g", "500 g", "1 kg")),
    ("Tote Bag", 11990, 300, COLOURS[:2]),
    ("Leather Wallet", 18990, 150, ("Café", "Negro")),
    ("Sunglasses", 21990, 100, ("Carey", "Negro")),
    ("Notebook A5", 4990, 300, ("Lined", "Dotted", "Blank")),
    ("Bamboo Socks", 3990, 60, ("S-M", "L-XL")),
    ("Backpack 20L", 32990, 700, COLOURS[:3]),
    ("Water Bottle", 9990, 250, COLOURS),
    ("Yoga Mat", 19990, 1200, COLOURS[1:4]),
    ("Scented Candle", 6990, 400, ("Lavanda", "Vainilla", "Cedro")),
    ("Honey Jar", 5490, 500, ("250 g", "500 g")),
    ("Olive Oil", 7990, 900, ("500 ml",)),
    ("Chocolate Box", 8990, 300, ("Amargo", "Leche")),
    ("Poster Valparaíso", 12990, 200, ("A3", "A2")),
)

SHOP2_PRODUCTS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("Paperback Novel", 12990, 350, ("Tapa blanda",)),
    ("Poetry Collection", 9990, 250, ("Tapa blanda", "Tapa dura")),
    ("Cookbook Chileno", 18990, 800, ("Tapa dura",)),
    ("Travel Guide Chile", 15990, 400, ("Español", "English")),
    ("Children's Atlas", 21990, 900, ("Tapa dura",)),
    ("Bookmark Set", 2990, 30, ("Set de 5",)),
    ("Reading Lamp", 24990, 700, COLOURS[:2]),
    ("Gift Card", 10000, 10, ("10.000", "20.000")),
)

# (name, discount, discount type, free shipping, line discount description)
SHOP1_PROMOTIONS: tuple[tuple[str, int, str, bool, str], ...] = (
    ("Summer discount", 100, "$", False, "Super offer!"),
    ("Winter sale", 10, "%", False, "Winter sale 10%"),
    ("Free shipping week", 0, "$", True, "Free shipping"),
    ("Cyber Monday", 15, "%", False, "Cyber Monday 15%"),
)
SHOP2_PROMOTIONS: tuple[tuple[str, int, str, bool, str], ...] = (
    ("Book week", 5, "%", False, "Book week 5%"),
)

# slug -> display name; weights say how often each is drawn.
PAYMENT_METHODS: tuple[tuple[str, str, int], ...] = (
    ("webpay", "Webpay", 45),
    ("bank_transfer", "Transferencia bancaria", 20),
    ("mercadopago", "MercadoPago", 15),
    ("paypal", "PayPal", 10),
    ("khipu", "Khipu", 10),
)

COURIERS: tuple[str, ...] = ("Chilexpress", "Starken", "Correos de Chile", "Blue Express")

# status -> weight of the seeded spread
STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("checkout", 10),
    ("pending", 8),
    ("closed", 35),
    ("shipped", 42),
    ("invalid", 5),
)

COUPON_DESCRIPTIONS: tuple[str, ...] = ("Coupon BIENVENIDA", "Coupon VUELVE10", "Coupon AMIGOS")

# Tags a shop owner puts on orders (an order has none, one or two).
TAGS: tuple[str, ...] = ("gift", "vip", "wholesale", "fragile", "repeat", "priority")

# The share of shipped orders that were delivered since.
DELIVERED_SHARE = 0.3
