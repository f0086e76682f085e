"""Specification of the Digit Classifier (see the README's "The specification").

The test images are held-out digits of scikit-learn's 8x8 data set (never seen in
training), written with their expected probabilities by ``train.py``.
"""

SPEC = {
    "methods": {
        "process": {
            "description": "Classifies a picture of one handwritten digit.",
            "input": [
                {
                    "name": "image",
                    "description": "Grayscale picture of one digit, light ink on dark (8x8 like the "
                                   "training data, or larger: reduced to 8x8; dark ink on light paper is inverted)",
                    "type": "ndarray/uint8//",
                },
            ],
            "output": [
                {
                    "name": "probabilities",
                    "description": "Softmax probabilities of the digits 0..9",
                    "type": "[numeric/float]",
                    "category": {
                        "name": "classification",
                        "labels": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
                    },
                    "tolerance": {"atol": 1e-6},
                },
            ],
            "test_cases": [
                ["digit_0_48.png", [0.9724353416, 0.0001110461611, 0.0007638780038, 9.444993397e-05, 0.0005994512731, 0.002338362684, 0.0170634699, 0.0001366651517, 0.003170401951, 0.003286933367]],
                ["digit_1_1.png", [2.312545699e-06, 0.9883435508, 0.0006032282704, 0.0007307246833, 0.004627062131, 8.039287688e-05, 0.0002985631893, 0.0001544551893, 0.005035113663, 0.0001245966118]],
                ["digit_2_12.png", [0.0003602850105, 0.1002703562, 0.8747566834, 0.006221146554, 0.003418851659, 0.006105453524, 0.006637871999, 0.0005789960485, 0.001251649413, 0.0003987062677]],
                ["digit_3_23.png", [0.0006181482678, 0.0002127745077, 0.02736303629, 0.9318833462, 3.275184619e-05, 0.01392136121, 1.960480827e-05, 0.01378624379, 0.004927212115, 0.007235520948]],
                ["digit_4_14.png", [0.001633510095, 0.004160422843, 1.116578496e-05, 3.047942721e-06, 0.9875600637, 4.283219826e-05, 0.001691751964, 0.001290224979, 0.003474660605, 0.0001323198454]],
                # a 5 the model takes for a 9 (430 of the 450 held-out digits are right)
                ["digit_5_5.png", [0.004318079639, 0.1841201377, 0.001319964521, 0.1065846759, 0.00162195411, 0.02556104786, 0.0008446123842, 0.0004190316079, 0.02375625716, 0.6514542391]],
                ["digit_6_16.png", [0.0001564909398, 0.07844022563, 0.006151242541, 0.002783083246, 0.02381209395, 0.0001919721937, 0.874718448, 0.001132787662, 0.01259418249, 1.947333862e-05]],
                ["digit_7_17.png", [0.001113016782, 0.005800125805, 0.001475886047, 0.01560359361, 0.114717087, 0.002824512605, 0.001497576015, 0.8232989666, 0.02929384082, 0.0043753948]],
                ["digit_8_38.png", [0.01525876691, 0.0218788366, 0.01794327925, 0.02200948056, 0.008196474303, 0.1966859411, 0.005542845551, 0.1174028882, 0.4931196645, 0.101961823]],
                ["digit_9_9.png", [0.01383198894, 0.01018417626, 0.000963834675, 0.003074352562, 0.005921048621, 0.02480116647, 0.001249577545, 0.00549087416, 0.01389817212, 0.9205848087]],
                # digit_3_23 at 48x48, dark ink on light paper: the same probabilities
                ["paper_3_23.png", [0.0006181482678, 0.0002127745077, 0.02736303629, 0.9318833462, 3.275184619e-05, 0.01392136121, 1.960480827e-05, 0.01378624379, 0.004927212115, 0.007235520948]],
            ],
        },
    },
    "module": {
        "name": "Digit Classifier",
        "description": "Classifies handwritten digits with a softmax model trained in numpy "
                       "(95.6% accuracy on 450 held-out digits).",
        "version": "1.0.0",
        "author": "The amodule developers",
        "author_email": "amodule@example.org",
        "url": "https://example.org/amodule",
        "dependencies": ["numpy", "pillow"],
    },
}
