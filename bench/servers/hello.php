<?php
// The benchmark app's shape in PHP, for php-fpm: GET answers "Hello, World!", POST parses the
// JSON body and sends it back re-serialised.
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    header('Content-Type: application/json');
    echo json_encode(json_decode(file_get_contents('php://input')));
} else {
    header('Content-Type: text/plain;charset=UTF-8');
    echo 'Hello, World!';
}
